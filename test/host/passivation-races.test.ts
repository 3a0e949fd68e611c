import {
  createEngine,
  type Engine,
  memoryStore,
  type SimulatedClock,
  type Store,
  simulatedClock,
} from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { gatedStore } from '../store/gated-store'
import { def, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

function open(store: Store, clock: SimulatedClock) {
  const engine = createEngine({ store, clock, random: () => 0.5 })
  engines.push(engine)
  return engine
}

/** Waits until the run has left memory: its wake time is committed and no timer is left but the heap's. */
async function passive(store: Store, clock: SimulatedClock, runId: string, timers = 1) {
  await until(async () => (await store.getRun(runId))?.wakeAt !== undefined && clock.pending === timers)
}

describe('passivation races', () => {
  it('close() while a passive run is being woken: nothing of it goes on, and the next engine finishes it', async () => {
    const store = gatedStore(memoryStore())
    const clock = simulatedClock(START)
    const engine = open(store, clock)
    await engine.register(def({ sleep: { action: 'delay', params: { ms: 5_000 } } }))
    const run = await engine.start('wf')
    await passive(store, clock, run.runId)
    const claim = store.hold('claimRun', (runId) => runId === run.runId)

    clock.advance(5_000)
    await claim.reached
    const closing = engine.close()
    claim.open()
    await closing
    const entries = (await store.readJournal(run.runId)).length
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await store.readJournal(run.runId)).length).toBe(entries)
    expect((await store.getRun(run.runId))!.status).toBe('running')

    const next = open(store, clock)
    expect((await next.wait(run.runId)).status).toBe('completed')
  })

  it('a signal and the wait timeout waking the same passive run: it is loaded once, and the deadline that passed first wins', async () => {
    const store = gatedStore(memoryStore())
    const clock = simulatedClock(START)
    const engine = open(store, clock)
    await engine.register(def({ w: { action: 'wait-for-event', params: { event: 'go', timeoutMs: 5_000 } } }))
    const run = await engine.start('wf')
    await passive(store, clock, run.runId)
    const { epoch } = (await store.getRun(run.runId))!
    // The wake reads the record as it was (passive, due) but gets it only after the signal.
    const read = store.hold('getRun', (runId) => runId === run.runId, 'after')

    clock.advance(5_000)
    await read.reached
    const signalled = engine.signal(run.runId, 'go', 'too late')
    read.open()
    await signalled
    const done = await engine.wait(run.runId)
    expect(done.status).toBe('failed')
    expect(done.tasks.w!.error?.code).toBe('TIMEOUT')
    const types = (await engine.history(run.runId)).map((e) => e.type)
    expect(types.filter((type) => type === 'task.timed-out')).toHaveLength(1)
    expect(types).toContain('signal.received')
    expect((await store.getRun(run.runId))!.epoch).toBe(epoch + 1)
  })
})
