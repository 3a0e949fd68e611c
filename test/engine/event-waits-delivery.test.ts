import { type Engine, memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tryLockRun } from '../../src/host/locks'
import { faultyStore } from '../store/faulty-store'
import { tempStores } from '../store/temp-database'
import { def, testEngines, until } from '../support/engine-fixtures'

const waiter = def(
  {
    paid: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == run.input.orderId' },
    },
    next: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == run.input.orderId' },
      dependsOn: ['paid'],
    },
  },
  { params: { orderId: { type: 'string', required: true } } },
)

/** The ids of the emitted events that ended waits of the run, by task, from its journal. */
async function taken(engine: Engine, runId: string) {
  return (await engine.history(runId)).flatMap((e) =>
    e.type === 'task.completed' && e.emitted !== undefined
      ? [[e.taskId, (e.output as { id: string }).id]]
      : [],
  )
}

async function passive(store: Store, runId: string) {
  await until(async () => (await store.getRun(runId))?.wakeAt === Number.POSITIVE_INFINITY)
}

describe('emitted events reach waiting runs wherever they are', () => {
  const testEngine = testEngines()
  const temp = tempStores()

  it('wakes a passive run waiting for the event, which goes on and completes', async () => {
    const store = memoryStore()
    const { engine } = testEngine({ store, recover: true })
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await passive(store, run.runId)
    expect((await store.getRun(run.runId))!.eventWaits).toEqual(['order.paid'])
    const { epoch } = (await store.getRun(run.runId))!

    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'p1' })
    await engine.idle()
    // Loaded again (a new claim) to take it: it had left memory.
    expect((await store.getRun(run.runId))!.epoch).toBeGreaterThan(epoch)
    await passive(store, run.runId)
    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'p2' })
    const done = await engine.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(await taken(engine, run.runId)).toEqual([
      ['paid', 'p1'],
      ['next', 'p2'],
    ])
    expect((await store.getRun(run.runId))!.eventWaits).toBeUndefined()
  })

  it('reaches a run another engine executes on the same database (a second tab)', async () => {
    const name = temp.open().name
    const owner = testEngine({ store: temp.open(name) })
    const other = testEngine({ store: temp.open(name), clock: owner.clock })
    await owner.engine.register(waiter)
    const run = await owner.engine.start('wf', { orderId: 'A' })
    await owner.engine.idle()
    expect((await owner.engine.getRun(run.runId))!.tasks.paid!.status).toBe('waiting')

    await other.engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'x1' })
    await until(async () => (await owner.engine.getRun(run.runId))!.tasks.paid!.status === 'completed')
    await other.engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'x2' })
    expect((await owner.engine.wait(run.runId)).status).toBe('completed')
    expect(await taken(owner.engine, run.runId)).toEqual([
      ['paid', 'x1'],
      ['next', 'x2'],
    ])
  })

  it('delivers once when the emitting engine stops between logging the event and delivering it', async () => {
    const name = temp.open().name
    const first = testEngine({ store: faultyStore(temp.open(name), { method: 'listEventWaiters' }) })
    await first.engine.register(waiter)
    const run = await first.engine.start('wf', { orderId: 'A' })
    await passive(first.store, run.runId)

    // Logged, then the delivery fails: the emit says so, and the event stays pending.
    await expect(
      first.engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'c1' }),
    ).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    })
    await first.engine.close()
    expect((await first.store.listPendingEvents()).map((e) => e.id)).toEqual(['c1'])

    // No recovery: the new leader's sweep alone delivers the pending event.
    const second = testEngine({ store: temp.open(name), clock: first.clock })
    await until(async () => (await second.store.listPendingEvents()).length === 0)
    await second.engine.idle()
    await until(async () => (await second.engine.getRun(run.runId))!.tasks.paid!.status === 'completed')
    expect(await taken(second.engine, run.runId)).toEqual([['paid', 'c1']])
    expect((await second.engine.getRun(run.runId))!.tasks.next!.status).toBe('waiting')
  })

  it('an event emitted again with its id finishes the delivery the first emit could not', async () => {
    const store = faultyStore(memoryStore(), { method: 'listEventWaiters' })
    const { engine } = testEngine({ store })
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await engine.idle()
    await expect(
      engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'again' }),
    ).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    })
    expect((await engine.getRun(run.runId))!.tasks.paid!.status).toBe('waiting')
    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'again' })
    await engine.idle()
    expect(await taken(engine, run.runId)).toEqual([['paid', 'again']])
    expect(await store.listPendingEvents()).toEqual([])
  })

  it('recovers a run without delivering an event it took again, and delivers what came while no engine ran', async () => {
    const name = temp.open().name
    const first = testEngine({ store: temp.open(name) })
    await first.engine.register(waiter)
    const run = await first.engine.start('wf', { orderId: 'A' })
    await first.engine.idle()
    await first.engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'r1' })
    await first.engine.idle()
    expect(await taken(first.engine, run.runId)).toEqual([['paid', 'r1']])
    await first.engine.close()

    const second = testEngine({ store: temp.open(name), clock: first.clock, recover: true })
    await second.engine.idle()
    // `next` waits on: `r1`, in the log, was taken by `paid`.
    expect((await second.engine.getRun(run.runId))!.tasks.next!.status).toBe('waiting')
    expect(await taken(second.engine, run.runId)).toEqual([['paid', 'r1']])
    await second.engine.close()

    // Logged while no engine ran this run (e.g. by a page without the engine's runs open).
    await temp.open(name).appendEvent({
      key: 'order.paid\u0000r2',
      type: 'order.paid',
      id: 'r2',
      data: { orderId: 'A' },
      at: first.clock.now(),
    })
    const third = testEngine({ store: temp.open(name), clock: first.clock, recover: true })
    expect((await third.engine.wait(run.runId)).status).toBe('completed')
    expect(await taken(third.engine, run.runId)).toEqual([
      ['paid', 'r1'],
      ['next', 'r2'],
    ])
  })

  it('a message that a run has an event to take reaches it even when it went passive meanwhile', async () => {
    const store = memoryStore()
    const { engine, clock } = testEngine({ store })
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await passive(store, run.runId)
    // Logged by an engine that found the run held here, just before it left memory.
    await store.appendEvent({
      key: 'order.paid\u0000m1',
      type: 'order.paid',
      id: 'm1',
      data: { orderId: 'A' },
      at: clock.now(),
    })
    const channel = new BroadcastChannel(`spindle:${store.name}:events`)
    channel.postMessage({ runIds: [run.runId] })
    channel.close()
    await until(async () => (await taken(engine, run.runId)).length === 1)
    expect(await taken(engine, run.runId)).toEqual([['paid', 'm1']])
  })

  it('offers a run again once another engine that held it lets go without taking the event', async () => {
    const store = memoryStore()
    const { engine } = testEngine({ store })
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await passive(store, run.runId)
    // An engine that holds the run and stops before it hears of the event (a tab closing).
    let held: Awaited<ReturnType<typeof tryLockRun>>
    await until(async () => {
      held = await tryLockRun(store.name, run.runId)
      return held !== undefined
    })
    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'h1' })
    await engine.idle()
    expect((await engine.getRun(run.runId))!.tasks.paid!.status).toBe('waiting')
    await held!.release()
    await until(async () => (await taken(engine, run.runId)).length === 1)
    expect(await taken(engine, run.runId)).toEqual([['paid', 'h1']])
  })

  it('the leader sweeps the events older than 24 h from the log, after an emit', async () => {
    const { engine, clock, store } = testEngine()
    await engine.emit({ type: 't', id: 'old' })
    clock.advance(24 * 60 * 60 * 1000 + 1)
    await engine.emit({ type: 't', id: 'new' })
    await until(async () => (await store.listEvents('t', 0)).length === 1)
    expect((await store.listEvents('t', 0)).map((e) => e.id)).toEqual(['new'])
  })

  it('a wait that begins as the event is emitted takes it once, whichever comes first', async () => {
    for (let turns = 0; turns < 8; turns++) {
      const { engine } = testEngine()
      await engine.register(waiter)
      const run = await engine.start('wf', { orderId: 'A' })
      for (let i = 0; i < turns; i++) await Promise.resolve()
      await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: `t${turns}` })
      await engine.idle()
      expect(await taken(engine, run.runId)).toEqual([['paid', `t${turns}`]])
      expect((await engine.getRun(run.runId))!.tasks.next!.status).toBe('waiting')
    }
  })
})
