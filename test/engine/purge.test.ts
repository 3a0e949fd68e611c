import { createEngine, type Engine, type EngineOptions, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)
const DAY = 24 * 60 * 60 * 1000

const quick = { schemaVersion: '2.0', id: 'quick', version: '1.0.0', tasks: { a: { action: 'noop' } } }
const other = { ...quick, id: 'other' }
const broken = { ...quick, id: 'broken', tasks: { a: { action: 'boom', retry: { maxAttempts: 1 } } } }
const slowFlow = { ...quick, id: 'slow', tasks: { a: { action: 'slow' } } }

describe('purge: deleting ended runs, in IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (options: EngineOptions = {}) => {
    const clock = simulatedClock(START)
    const slow = controllable()
    const engine = createEngine({
      store: temp.open(),
      clock,
      random: () => 0.5,
      recover: false,
      actions: {
        slow: slow.handler,
        boom: () => {
          throw new Error('boom')
        },
      },
      ...options,
    })
    engines.push(engine)
    return { engine, clock, slow }
  }

  async function ended(engine: Engine, definitionId: string, runId: string): Promise<string> {
    await engine.start(definitionId, {}, { runId })
    return (await engine.wait(runId)).status
  }

  async function registered(engine: Engine): Promise<void> {
    for (const d of [quick, other, broken, slowFlow]) await engine.register(d)
  }

  it('deletes the ended runs a filter selects, with their history, and keeps every other', async () => {
    const { engine, clock } = open()
    await registered(engine)
    expect(await ended(engine, 'quick', 'q-old')).toBe('completed')
    expect(await ended(engine, 'broken', 'b-old')).toBe('failed')
    expect(await ended(engine, 'other', 'o-old')).toBe('completed')
    clock.advance(10_000)
    const cut = clock.now()
    expect(await ended(engine, 'quick', 'q-new')).toBe('completed')
    await engine.start('slow', {}, { runId: 's-live' })
    await engine.idle()

    expect(
      await engine.purge({ status: ['completed'], endedBefore: cut, definitionId: 'quick', dryRun: true }),
    ).toBe(1)
    expect(await engine.getRun('q-old')).toBeDefined()

    expect(await engine.purge({ status: ['completed'], endedBefore: cut, definitionId: 'quick' })).toBe(1)
    expect(await engine.getRun('q-old')).toBeUndefined()
    expect(await engine.history('q-old').catch((e) => e.code)).toBe('NOT_FOUND')
    expect((await engine.listRuns()).runs.map((r) => r.runId).sort()).toEqual([
      'b-old',
      'o-old',
      'q-new',
      's-live',
    ])

    expect(await engine.purge({ endedBefore: cut })).toBe(2)
    expect((await engine.listRuns()).runs.map((r) => r.runId).sort()).toEqual(['q-new', 's-live'])
    expect(await engine.purge({})).toBe(1)
    expect((await engine.getRun('s-live'))!.status).toBe('running')
  })

  it('keeps the parent of a child that has not ended, and deletes it once the child ended', async () => {
    const { engine, slow } = open()
    await registered(engine)
    await engine.register({
      ...quick,
      id: 'parent',
      tasks: { sub: { action: 'subworkflow', params: { workflow: 'slow', wait: false } } },
    })
    expect(await ended(engine, 'parent', 'p')).toBe('completed')
    expect((await engine.getRun('p/sub'))!.status).toBe('running')
    expect(await engine.purge({ dryRun: true })).toBe(0)
    expect(await engine.purge({})).toBe(0)
    expect(await engine.getRun('p')).toBeDefined()
    slow.calls[0]!.resolve('late')
    await engine.wait('p/sub')
    expect(await engine.purge({})).toBe(2)
    expect(await engine.getRun('p')).toBeUndefined()
    expect(await engine.getRun('p/sub')).toBeUndefined()
  })

  it('refuses a bad filter with INVALID_ARGUMENT, deleting nothing', async () => {
    const { engine } = open()
    await registered(engine)
    await ended(engine, 'quick', 'q')
    for (const bad of [
      { status: ['running'] },
      { status: 'completed' },
      { endedBefore: 'yesterday' },
      { definitionId: '' },
      { dryRun: 'yes' },
      { olderThan: 5 },
      'all',
    ]) {
      await expect(engine.purge(bad as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
    expect(await engine.getRun('q')).toBeDefined()
  })

  it('purge() applies the retention: by age per status, and at most maxCount completed runs', async () => {
    const { engine, clock } = open({
      retention: { completed: { maxCount: 2 }, cancelled: { maxAgeMs: DAY } },
    })
    await registered(engine)
    for (const runId of ['c1', 'c2', 'c3']) {
      await ended(engine, 'quick', runId)
      clock.advance(1000)
    }
    expect(await ended(engine, 'broken', 'f1')).toBe('failed')
    await engine.start('slow', {}, { runId: 'x1' })
    await engine.idle()
    await engine.cancel('x1')
    expect((await engine.wait('x1')).status).toBe('cancelled')

    // The oldest completed run is beyond maxCount; nothing is old enough yet.
    expect(await engine.purge()).toBe(1)
    expect(await engine.getRun('c1')).toBeUndefined()

    clock.advance(DAY + 1)
    expect(await engine.purge()).toBe(1)
    expect(await engine.getRun('x1')).toBeUndefined()

    clock.advance(14 * DAY)
    expect(await engine.purge()).toBe(2)
    expect((await engine.listRuns()).runs.map((r) => r.runId)).toEqual(['f1'])
    clock.advance(15 * DAY)
    expect(await engine.purge()).toBe(1)
    expect((await engine.listRuns()).runs).toEqual([])
  })

  it('refuses a retention option that is not whole numbers of the known fields', () => {
    for (const retention of [
      { completed: { maxAgeMs: -1 } },
      { failed: { maxCount: 3 } },
      { done: {} },
      5,
      true,
    ]) {
      expect(() => createEngine({ store: temp.open(), retention } as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      )
    }
  })

  it('asks authorize (verb purge) and deletes nothing when it says no', async () => {
    const asked: string[] = []
    const { engine } = open({
      authorize: ({ principal, verb }) => {
        asked.push(`${principal}:${verb}`)
        return principal === 'admin' || verb !== 'purge'
      },
    })
    await registered(engine)
    await ended(engine, 'quick', 'q')
    await expect(engine.as('ann').purge({})).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await engine.getRun('q')).toBeDefined()
    expect(await engine.as('admin').purge({})).toBe(1)
    expect(asked).toContain('ann:purge')
  })
})

describe('storage() and requestPersistence()', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it("reports the origin's usage and quota and the records per store, fewer after a purge", async () => {
    const engine = createEngine({ store: temp.open(), clock: simulatedClock(START), recover: false })
    engines.push(engine)
    await engine.register(quick)
    await engine.start('quick', {}, { runId: 'q' })
    await engine.wait('q')
    const before = await engine.storage()
    expect(before.usage).toBeGreaterThan(0)
    expect(before.quota).toBeGreaterThan(before.usage!)
    expect(typeof before.persisted).toBe('boolean')
    expect(before.stores.runs).toEqual({ records: 1 })
    expect(before.stores.definitions).toEqual({ records: 1 })
    expect(before.stores.pages!.records).toBeGreaterThan(0)
    expect(await engine.purge({})).toBe(1)
    const after = await engine.storage()
    expect(after.stores.runs).toEqual({ records: 0 })
    expect(after.stores.pages).toEqual({ records: 0 })
  })

  it('asks navigator.storage.persist() on the page and resolves to its answer', async () => {
    const engine = createEngine({ store: temp.open(), recover: false })
    engines.push(engine)
    const persisted = await engine.requestPersistence()
    expect(typeof persisted).toBe('boolean')
    expect((await engine.storage()).persisted).toBe(persisted)
  })
})
