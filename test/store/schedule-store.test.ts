import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/store/memory-store'
import type { StoredSchedule } from '../../src/store/ports/schedule-store'
import type { Store } from '../../src/store/store'
import { tempStores } from './temp-database'

const schedule = (scheduleId: string, handledUpTo?: number): StoredSchedule => ({
  scheduleId,
  spec: { id: scheduleId, workflow: 'wf', everyMs: 60_000 },
  createdAt: 1_000,
  updatedAt: 1_000,
  ...(handledUpTo === undefined ? {} : { handledUpTo }),
  recent: [],
})

function contract(open: () => Store, second: (store: Store) => Store) {
  it('puts, gets, lists by id and deletes schedules', async () => {
    const store = open()
    await store.putSchedule(schedule('b'))
    await store.putSchedule(schedule('a'))
    expect((await store.listSchedules()).map((s) => s.scheduleId)).toEqual(['a', 'b'])
    expect(await store.getSchedule('a')).toEqual(schedule('a'))
    expect(await store.deleteSchedule('a')).toBe(true)
    expect(await store.deleteSchedule('a')).toBe(false)
    expect(await store.getSchedule('a')).toBeUndefined()
  })

  it('keeps what it read and what it was given apart from what it stores', async () => {
    const store = open()
    const given = schedule('a')
    await store.putSchedule(given)
    given.spec.workflow = 'changed'
    const read = await store.getSchedule('a')
    if (read) read.recent.push({ scheduledAt: 1, outcome: 'missed' })
    expect(await store.getSchedule('a')).toEqual(schedule('a'))
  })

  it('advances only from the handledUpTo it is told, keeping the newest recent ones', async () => {
    const store = open()
    await store.putSchedule(schedule('a'))
    const started = { scheduledAt: 60_000, runId: 'sched:a:60000', outcome: 'started' } as const
    expect(await store.advanceSchedule('a', 5, 60_000, [started], 2)).toBe(false)
    expect(await store.advanceSchedule('a', undefined, 60_000, [started], 2)).toBe(true)
    expect(await store.advanceSchedule('a', undefined, 60_000, [started], 2)).toBe(false)
    const missed = (scheduledAt: number) => ({ scheduledAt, outcome: 'missed', reason: 'catch-up' }) as const
    expect(await store.advanceSchedule('a', 60_000, 180_000, [missed(120_000), missed(180_000)], 2)).toBe(
      true,
    )
    const stored = await store.getSchedule('a')
    expect(stored?.handledUpTo).toBe(180_000)
    expect(stored?.recent).toEqual([missed(120_000), missed(180_000)])
    expect(await store.advanceSchedule('gone', undefined, 1, [], 2)).toBe(false)
  })

  it('writes the buffered occurrences and the active run with an advance, and keeps them without', async () => {
    const store = open()
    await store.putSchedule(schedule('a', 0))
    const state = { pending: [120_000, 180_000], active: 'sched:a:60000' }
    expect(await store.advanceSchedule('a', 0, 180_000, [], 5, state)).toBe(true)
    expect(await store.getSchedule('a')).toMatchObject({ handledUpTo: 180_000, ...state })
    expect(await store.advanceSchedule('a', 180_000, 240_000, [], 5)).toBe(true)
    expect(await store.getSchedule('a')).toMatchObject(state)
    expect(
      await store.advanceSchedule('a', 240_000, 240_000, [], 5, { pending: [], active: 'sched:a:120000' }),
    ).toBe(true)
    const after = await store.getSchedule('a')
    expect(after?.active).toBe('sched:a:120000')
    expect(after && 'pending' in after).toBe(false)
  })

  it('revises the spec and principal, keeping what an advance recorded in between', async () => {
    const store = open()
    await store.putSchedule({ ...schedule('a', 0), principal: 'ann' })
    const stale = await store.getSchedule('a')
    const started = { scheduledAt: 60_000, runId: 'sched:a:60000', outcome: 'started' } as const
    expect(await store.advanceSchedule('a', 0, 60_000, [started], 5, { active: 'sched:a:60000' })).toBe(true)
    const spec = { ...stale!.spec, paused: true }
    const written = await store.reviseSchedule('a', { spec, updatedAt: 2_000 })
    const read = await store.getSchedule('a')
    expect(read).toEqual(written)
    expect(read).toMatchObject({
      spec,
      updatedAt: 2_000,
      handledUpTo: 60_000,
      recent: [started],
      active: 'sched:a:60000',
    })
    expect(read && 'principal' in read).toBe(false)
    expect((await store.reviseSchedule('a', { spec, updatedAt: 3_000, principal: 'bob' }))?.principal).toBe(
      'bob',
    )
    expect(await store.reviseSchedule('gone', { spec, updatedAt: 1 })).toBeUndefined()
    expect(await store.getSchedule('gone')).toBeUndefined()
  })

  it('lets one of two connections advancing from the same point win', async () => {
    const store = open()
    const other = second(store)
    await store.putSchedule(schedule('a', 0))
    const results = await Promise.all([
      store.advanceSchedule('a', 0, 60_000, [{ scheduledAt: 60_000, outcome: 'started' }], 10),
      other.advanceSchedule('a', 0, 60_000, [{ scheduledAt: 60_000, outcome: 'started' }], 10),
    ])
    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await store.getSchedule('a'))?.recent).toHaveLength(1)
  })
}

describe('memoryStore: schedules', () => {
  contract(
    () => memoryStore(),
    (store) => store,
  )
})

describe('indexedDbStore: schedules', () => {
  const temp = tempStores()
  contract(
    () => temp.open(),
    (store) => temp.open(store.name),
  )

  it('keeps schedules across a closed and reopened store', async () => {
    const store = temp.open()
    await store.putSchedule(schedule('a', 60_000))
    await store.close()
    expect(await temp.open(store.name).getSchedule('a')).toEqual(schedule('a', 60_000))
  })
})
