import { ArgumentError, createEngine, memoryStore, type Store, TaskError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { approvalJournal, commitEntries } from '../store/approval-entries'
import { runRecord } from '../store/store-fixtures'
import { def, testEngines, until } from '../support/engine-fixtures'

const engines = testEngines()

/**
 * A store holding what runs waiting on approvals commit: `orders-1` waits on `ship` (ann, or the
 * finance group, due at 5000), `orders-2` on `refund` (bob), `other-1` on `check` (ann, voted on).
 */
async function inboxStore(): Promise<Store> {
  const store = memoryStore()
  await store.createRun(runRecord('orders-1', { definitionId: 'orders', createdAt: 1 }))
  await store.createRun(runRecord('orders-2', { definitionId: 'orders', createdAt: 2 }))
  await store.createRun(runRecord('other-1', { definitionId: 'other', createdAt: 3 }))
  const o1 = approvalJournal('orders-1', 1, 100)
  await commitEntries(store, 'orders-1', [
    o1.required({ taskId: 'ship' }, { approvers: ['ann'], groups: ['finance'], dueAt: 5000 }),
  ])
  const o2 = approvalJournal('orders-2', 1, 200)
  await commitEntries(store, 'orders-2', [o2.required({ taskId: 'refund' }, { approvers: ['bob'] })])
  const x = approvalJournal('other-1', 1, 300)
  await commitEntries(store, 'other-1', [
    x.required({ taskId: 'check' }, { approvers: ['ann', 'bob'], quorum: 2, dueAt: 4000 }),
    x.voted({ taskId: 'check' }, 'ann'),
  ])
  return store
}

const ids = (items: { approvalId: string }[]) => items.map((i) => i.approvalId)

describe('engine.listApprovals', () => {
  it('lists the stored approvals by due time, filtered', async () => {
    const { engine } = engines({
      store: await inboxStore(),
      groupsOf: (p) => (p === 'fay' ? ['finance'] : []),
    })
    expect(ids(await engine.listApprovals())).toEqual(['other-1:check', 'orders-1:ship', 'orders-2:refund'])
    expect(ids(await engine.listApprovals({ status: 'open', definitionId: 'orders' }))).toEqual([
      'orders-1:ship',
      'orders-2:refund',
    ])
    expect(ids(await engine.listApprovals({ status: ['approved', 'rejected'] }))).toEqual([])
    expect(ids(await engine.listApprovals({ runId: 'orders-2' }))).toEqual(['orders-2:refund'])
    expect(ids(await engine.listApprovals({ dueBefore: 4500 }))).toEqual(['other-1:check'])
    expect(ids(await engine.listApprovals({ groups: ['finance'] }))).toEqual(['orders-1:ship'])
    expect(ids(await engine.listApprovals({ limit: 1 }))).toEqual(['other-1:check'])
    const [check] = await engine.listApprovals({ runId: 'other-1' })
    expect(check).toMatchObject({
      definitionId: 'other',
      quorum: 2,
      votes: [{ by: 'ann', decision: 'approved' }],
    })
  })

  it('lists what a principal may decide: listed, or in a listed group (groupsOf), and not voted yet', async () => {
    const groups: Record<string, string[]> = { fay: ['finance'] }
    const { engine } = engines({ store: await inboxStore(), groupsOf: async (p) => groups[p] ?? [] })
    // ann voted on other-1:check already.
    expect(ids(await engine.listApprovals({ principal: 'ann' }))).toEqual(['orders-1:ship'])
    expect(ids(await engine.listApprovals({ principal: 'bob' }))).toEqual([
      'other-1:check',
      'orders-2:refund',
    ])
    expect(ids(await engine.listApprovals({ principal: 'fay', status: 'open' }))).toEqual(['orders-1:ship'])
    expect(ids(await engine.listApprovals({ principal: 'zed' }))).toEqual([])
    expect(ids(await engine.listApprovals({ principal: 'bob', limit: 1 }))).toEqual(['other-1:check'])
  })

  it('without groupsOf, a principal decides only where it is listed by name', async () => {
    const { engine } = engines({ store: await inboxStore() })
    expect(ids(await engine.listApprovals({ principal: 'fay' }))).toEqual([])
  })

  it('hands out copies', async () => {
    const { engine } = engines({ store: await inboxStore() })
    const [first] = await engine.listApprovals()
    first!.votes.push({ by: 'mallory', decision: 'approved', at: 0, level: 0 })
    first!.status = 'approved'
    expect((await engine.listApprovals())[0]).toMatchObject({ status: 'open', votes: [{ by: 'ann' }] })
  })

  it('refuses a bad filter with INVALID_ARGUMENT, naming the value and the fix', async () => {
    const { engine } = engines({ store: await inboxStore() })
    const bad: [unknown, RegExp][] = [
      [{ status: 'pending' }, /unknown status "pending"; use one of open, approved, rejected, expired/],
      [{ status: 7 }, /"status" must be an approval status/],
      [{ limit: 0 }, /"limit" must be a whole number ≥ 1/],
      [{ limit: 1.5 }, /"limit"/],
      [{ dueBefore: 'soon' }, /"dueBefore" must be a time in ms/],
      [{ groups: 'finance' }, /"groups" must be an array of group names/],
      [{ principal: '' }, /"principal" must be a non-empty string/],
      [{ runId: 3 }, /"runId"/],
      [{ owner: 'ann' }, /unknown option "owner"/],
      ['open', /the options must be an object/],
    ]
    for (const [filter, message] of bad) {
      const listing = engine.listApprovals(filter as never)
      await expect(listing).rejects.toThrow(ArgumentError)
      await expect(listing).rejects.toThrow(message)
      expect(() => engine.approvals$(filter as never)).toThrow(message)
    }
  })

  it('refuses groupsOf that is not a function, or that returns no list of names', async () => {
    expect(() => createEngine({ groupsOf: ['finance'] as never, recover: false })).toThrow(
      /groupsOf must be a function/,
    )
    const { engine } = engines({ store: await inboxStore(), groupsOf: () => 'finance' as never })
    await expect(engine.listApprovals({ principal: 'fay' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      value: 'finance',
    })
  })

  it('does not keep a listing by principal pending past close() while groupsOf never answers', async () => {
    const { engine } = engines({ store: await inboxStore(), groupsOf: () => new Promise<string[]>(() => {}) })
    const listing = engine.listApprovals({ principal: 'fay' })
    await engine.close()
    await expect(listing).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
  })

  it('is refused once the engine is closed', async () => {
    const { engine } = engines({ store: await inboxStore() })
    await engine.close()
    await expect(engine.listApprovals()).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
  })
})

describe('engine.approvals$', () => {
  it('emits the current list first, reads again after the engine commits an event that may change it, and completes on close', async () => {
    const store = await inboxStore()
    const { engine } = engines({
      store,
      actions: {
        fail: () => {
          throw new TaskError('ACTION_FAILED', 'no')
        },
      },
    })
    await engine.register(def({ broken: { action: 'fail' } }, { defaults: { retry: { maxAttempts: 1 } } }))
    const seen: string[][] = []
    let completed = false
    engine.approvals$({ status: 'open', principal: 'bob' }).subscribe({
      next: (items) => seen.push(ids(items)),
      complete: () => (completed = true),
    })
    await until(() => seen.length === 1)
    expect(seen).toEqual([['other-1:check', 'orders-2:refund']])
    // Another writer's commit (no event here) is seen with the next event that may change the inbox.
    const later = approvalJournal('orders-2', 2, 400)
    await commitEntries(store, 'orders-2', [later.rejected({ taskId: 'refund' }, 'bob')])
    const run = await engine.start('wf')
    await engine.wait(run.runId).catch(() => undefined)
    await until(() => seen.length === 2)
    expect(seen[1]).toEqual(['other-1:check'])
    await engine.close()
    expect(completed).toBe(true)
  })
})
