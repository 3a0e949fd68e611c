import { filter, firstValueFrom, take, toArray } from 'rxjs'
import { type Engine, isRunEvent, type WorkflowEvent } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { clientStats, workerStats } from '../../worker/instrumentation'
import { fakeEngineWorker } from './fake-worker'

const workers: Worker[] = []
function connect(): Engine {
  const worker = fakeEngineWorker()
  workers.push(worker)
  return connectEngine(worker)
}

afterEach(() => {
  for (const worker of workers.splice(0)) worker.terminate()
})

/** Asks the fake engine to publish `count` events of `runId`, `perTask` per worker task. */
function publish(engine: Engine, runId: string, count: number, perTask = count) {
  return engine.signal(runId, 'publish', { count, perTask })
}

function collect(engine: Engine, count: number): Promise<WorkflowEvent[]> {
  return firstValueFrom(engine.events$.pipe(filter(isRunEvent), take(count), toArray()))
}

/** Resolves once the worker has processed every call sent before it. */
const settled = (engine: Engine) => workerStats(engine)

describe('events$: batching', () => {
  it('delivers every event in order, in far fewer messages than events', async () => {
    const engine = connect()
    const before = clientStats()
    const received = collect(engine, 2000)
    await settled(engine)
    await publish(engine, 'r1', 2000)
    const events = await received
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1))
    const after = clientStats()
    // All 2,000 were published in one task: full batches of 500 leave at once.
    expect(after.batchesReceived - before.batchesReceived).toBe(4)
    expect(after.eventsReceived - before.eventsReceived).toBe(2000)
    expect((await workerStats(engine)).batchesPosted).toBe(4)
  })

  it('sends what one task published as one message', async () => {
    const engine = connect()
    const before = clientStats()
    const received = collect(engine, 300)
    await settled(engine)
    await publish(engine, 'r1', 300, 30)
    expect((await received).map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expect(clientStats().batchesReceived - before.batchesReceived).toBe(10)
  })
})

describe('events$: one worker subscription for the whole page', () => {
  it('shares one worker subscription among subscribers and tears it down at zero', async () => {
    const engine = connect()
    const seen: WorkflowEvent[][] = [[], [], [], [], []]
    const subscriptions = seen.map((list) =>
      engine.events$.pipe(filter(isRunEvent)).subscribe((e) => list.push(e)),
    )
    expect(await workerStats(engine)).toMatchObject({ connections: 1, subscriptions: 1 })

    const last = firstValueFrom(
      engine.events$.pipe(
        filter(isRunEvent),
        filter((e) => e.seq === 50),
      ),
    )
    await publish(engine, 'r1', 50)
    await last
    for (const list of seen)
      expect(list.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))

    for (const subscription of subscriptions.slice(1)) subscription.unsubscribe()
    expect((await workerStats(engine)).subscriptions).toBe(1)
    subscriptions[0]!.unsubscribe()
    expect((await workerStats(engine)).subscriptions).toBe(0)
  })

  it('a subscriber that joins after the others left gets only later events', async () => {
    const engine = connect()
    const first = engine.events$.pipe(filter(isRunEvent)).subscribe()
    await publish(engine, 'r1', 5)
    first.unsubscribe()
    const later = collect(engine, 3)
    await settled(engine)
    await publish(engine, 'r2', 3)
    expect((await later).map((e) => `${e.runId}:${e.seq}`)).toEqual(['r2:6', 'r2:7', 'r2:8'])
  })

  it('leaks no channel and no worker subscription over 1,000 subscribe/unsubscribe cycles', async () => {
    const engine = connect()
    await settled(engine)
    const before = clientStats()
    for (let i = 0; i < 1000; i++) {
      const a = engine.events$.pipe(filter(isRunEvent)).subscribe()
      const b = engine.events$.pipe(filter(isRunEvent)).subscribe()
      a.unsubscribe()
      b.unsubscribe()
    }
    const after = clientStats()
    expect(after.channelsOpened - before.channelsOpened).toBe(1000)
    expect(after.liveChannels).toBe(before.liveChannels)
    expect(await workerStats(engine)).toMatchObject({ connections: 1, subscriptions: 0 })

    // The connection still works, and a new subscriber still gets events.
    const received = collect(engine, 2)
    await settled(engine)
    await publish(engine, 'r1', 2)
    expect(await received).toHaveLength(2)
  })

  it('close() completes subscribers, frees the connection and refuses new subscribers', async () => {
    const worker = fakeEngineWorker()
    workers.push(worker)
    const engine = connectEngine(worker)
    let completed = false
    engine.events$.pipe(filter(isRunEvent)).subscribe({ complete: () => (completed = true) })
    const probe = connectEngine(worker)
    const before = clientStats()
    expect((await workerStats(probe)).connections).toBe(2)

    await engine.close()
    expect(completed).toBe(true)
    // The connection's channel and its event subscription's.
    expect(clientStats().liveChannels).toBe(before.liveChannels - 2)
    expect(await workerStats(probe)).toMatchObject({ connections: 1, subscriptions: 0 })
    let error: unknown
    engine.events$.pipe(filter(isRunEvent)).subscribe({ error: (e) => (error = e) })
    expect(error).toMatchObject({ code: 'ENGINE_CLOSED' })
  })
})
