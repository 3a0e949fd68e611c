import { ArgumentError, type Engine, type WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { indexedDbStore } from '../../src/store/indexeddb-store'
import { broadcastChannelName } from '../../worker/protocol'
import { approvalJournal, commitEntries } from '../store/approval-entries'
import { runRecord } from '../store/store-fixtures'
import { until } from '../support/engine-fixtures'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'

const workers: Worker[] = []
const engines: Engine[] = []
const databases: string[] = []

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
  for (const worker of workers.splice(0)) worker.terminate()
  for (const db of databases.splice(0)) await deleteDatabase(db)
})

/** A page connected to a new engine worker on IndexedDB database `db` (a tab of the app). */
function tab(db: string): Engine {
  const worker = engineWorker({ db, store: 'idb' })
  workers.push(worker)
  const engine = connectEngine(worker)
  engines.push(engine)
  return engine
}

function database(): string {
  const db = uniqueDb('approvals')
  databases.push(db)
  return db
}

const ids = (items: { approvalId: string }[]) => items.map((i) => i.approvalId)

/** `gate` waits for the signal `go`. */
const gated: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'gated',
  version: '1.0.0',
  tasks: { gate: { action: 'wait-for-event', params: { event: 'go' } } },
}

describe('the inbox through a worker', () => {
  it('listApprovals reaches the engine in the worker, and a bad filter comes back as an ArgumentError', async () => {
    const db = database()
    const store = indexedDbStore({ name: db })
    // Paused: the worker's engine leaves it be (a running one it would recover).
    await store.createRun(runRecord('r1', { definitionId: 'orders', status: 'paused' }))
    const j = approvalJournal('r1')
    await commitEntries(store, 'r1', [
      j.required({ taskId: 'ship' }, { approvers: ['ann'] }),
      j.required({ taskId: 'pay' }, { approvers: ['bob'] }),
    ])
    await store.close()
    const engine = tab(db)
    expect(ids(await engine.listApprovals({ status: 'open' }))).toEqual(['r1:ship', 'r1:pay'])
    expect(ids(await engine.listApprovals({ principal: 'bob' }))).toEqual(['r1:pay'])
    const refused = await engine.listApprovals({ status: 'nope' as never }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ArgumentError)
    expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT', value: 'nope' })
    const failed = await new Promise((resolve) =>
      engine.approvals$({ limit: -1 }).subscribe({ error: resolve }),
    )
    expect(failed).toBeInstanceOf(ArgumentError)
  })

  it("approvals$ on the page: the current list first, then what another tab's commits change", async () => {
    const db = database()
    const store = indexedDbStore({ name: db })
    await store.createRun(runRecord('r1', { status: 'paused' }))
    const j = approvalJournal('r1')
    await commitEntries(store, 'r1', [j.required({ taskId: 'ship' }, { approvers: ['ann'] })])
    const engine = tab(db)
    const seen: string[][] = []
    const subscription = engine.approvals$({ status: 'open' }).subscribe((items) => seen.push(ids(items)))
    await until(() => seen.length === 1)
    expect(seen).toEqual([['r1:ship']])
    // Another tab commits and mirrors the events on the database's channel, as its worker does.
    const entries = [
      j.required({ taskId: 'pay' }, { approvers: ['ann'] }),
      j.granted({ taskId: 'ship' }, 'ann'),
    ]
    await commitEntries(store, 'r1', entries)
    const channel = new BroadcastChannel(broadcastChannelName(db))
    channel.postMessage({ type: 'spindle.events', events: entries })
    channel.close()
    await until(() => seen.length === 2)
    expect(seen[1]).toEqual(['r1:pay'])
    subscription.unsubscribe()
    await store.close()
  })

  it("two real engines on one database: one tab's approvals$ follows the commit of the other tab's engine", async () => {
    const db = database()
    const tabA = tab(db)
    const tabB = tab(db)
    await tabA.register(gated)
    const run = await tabA.start('gated')
    await tabA.idle()
    // The run waits; an approval of it is in the inbox (committed under the run's fence).
    const store = indexedDbStore({ name: db })
    const { epoch } = (await store.getRun(run.runId))!
    const j = approvalJournal(run.runId, 900)
    await commitEntries(store, run.runId, [j.required({ taskId: 'gate' }, { approvers: ['ann'] })], epoch)
    await store.close()
    const seen: [string, string][][] = []
    const subscription = tabB
      .approvals$({ runId: run.runId })
      .subscribe((items) => seen.push(items.map((i) => [i.approvalId, i.status])))
    await until(() => seen.length === 1)
    expect(seen[0]).toEqual([[`${run.runId}:gate`, 'open']])
    // Tab A's engine cancels the run: its commit closes the approval, its events reach tab B.
    await tabA.cancel(run.runId)
    await until(() => seen.length === 2)
    expect(seen[1]).toEqual([[`${run.runId}:gate`, 'expired']])
    expect(await tabA.listApprovals({ status: 'open' })).toEqual([])
    subscription.unsubscribe()
  })
})

/** Each order asks its approver; `lines` asks one approval per line, of `bob`. */
const orders: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'orders',
  version: '1.0.0',
  params: { approver: { type: 'string', required: true }, lines: { type: 'array' } },
  tasks: {
    order: {
      action: 'approval',
      params: { title: 'Order', levels: [{ approvers: ['${ input.approver }'] }] },
    },
    lines: {
      action: 'approval',
      dependsOn: ['order'],
      forEach: 'input.lines',
      params: { title: "${ 'Line ' + item }", levels: [{ approvers: ['bob'] }] },
    },
  },
}

describe('the inbox of real approvals, across two tabs', () => {
  it("one tab starts runs, the other's inbox lists and decides them; each decision leaves it live", async () => {
    const db = database()
    const tabA = tab(db)
    await tabA.idle()
    const tabB = tab(db)
    await tabA.register(orders)
    const first = await tabA.start('orders', { approver: 'ann', lines: ['x', 'y'] })
    const second = await tabA.start('orders', { approver: 'carl', lines: [] })
    const seen: string[][] = []
    const subscription = tabB
      .approvals$({ status: 'open', principal: 'ann' })
      .subscribe((items) => seen.push(ids(items)))
    await until(async () => ids(await tabB.listApprovals({ status: 'open' })).length === 2)
    await until(() => seen.at(-1)?.length === 1)
    expect(seen.at(-1)).toEqual([`${first.runId}:order`])
    // Tab B decides what tab A started: the run leaves tab A's memory while it waits on people.
    await tabB.approve(first.runId, 'order', { by: 'ann', comment: 'fine' })
    await until(() => seen.at(-1)?.length === 0)
    await until(async () => (await tabB.listApprovals({ principal: 'bob' })).length === 2)
    const lines = await tabB.listApprovals({ principal: 'bob' })
    expect(ids(lines)).toEqual([`${first.runId}:lines:0`, `${first.runId}:lines:1`])
    expect(lines.map((l) => l.title)).toEqual(['Line x', 'Line y'])
    await tabB.approve(first.runId, 'lines[0]', { by: 'bob' })
    await tabA.reject(first.runId, 'lines[1]', { by: 'bob', comment: 'no stock' })
    const done = await tabA.wait(first.runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.lines!.output).toMatchObject([{ approved: true }, { approved: false }])
    const decided = await tabB.listApprovals({ runId: first.runId })
    expect(decided.map((i) => [i.approvalId, i.status])).toEqual([
      [`${first.runId}:order`, 'approved'],
      [`${first.runId}:lines:0`, 'approved'],
      [`${first.runId}:lines:1`, 'rejected'],
    ])
    const votes = (await tabB.history(first.runId)).filter((e) => e.type === 'approval.voted')
    expect(votes.map((e) => e.by)).toEqual(['ann', 'bob', 'bob'])
    expect(ids(await tabB.listApprovals({ status: 'open' }))).toEqual([`${second.runId}:order`])
    subscription.unsubscribe()
  })
})
