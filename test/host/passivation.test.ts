import {
  createEngine,
  type Engine,
  memoryStore,
  type SimulatedClock,
  type Store,
  simulatedClock,
} from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, lockIsFree, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

function open(store: Store, clock: SimulatedClock, options: Parameters<typeof createEngine>[0] = {}) {
  const engine = createEngine({ store, clock, random: () => 0.5, ...options })
  engines.push(engine)
  return engine
}

const sleeper = def({
  sleep: { action: 'delay', params: { ms: '${ input.ms }' } },
  after: { action: 'noop', dependsOn: ['sleep'] },
})

/** Waits until the run's record says it is passive (its wake time is committed). */
async function passive(store: Store, runId: string) {
  await until(async () => (await store.getRun(runId))?.wakeAt !== undefined)
  return (await store.getRun(runId))!.wakeAt
}

describe('passivation', () => {
  it('takes sleeping runs out of memory: one timer for all of them, each wakes and completes at its time', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const engine = open(store, clock)
    await engine.register(sleeper)
    const runs = []
    for (let i = 1; i <= 20; i++) runs.push(await engine.start('wf', { ms: i * 1_000 }))
    for (const [i, run] of runs.entries())
      expect(await passive(store, run.runId)).toBe(START + (i + 1) * 1_000)
    // The heap's timer is the only one: no run keeps its own.
    await until(() => clock.pending === 1)

    clock.advance(1_000)
    const first = await engine.wait(runs[0]!.runId)
    expect(first.status).toBe('completed')
    expect((await engine.getRun(runs[1]!.runId))!.tasks.sleep!.status).toBe('waiting')
    const history = await engine.history(runs[0]!.runId)
    // Waking is no recovery: nothing was cut off.
    expect(history.map((e) => e.type)).not.toContain('workflow.recovered')
    expect((await store.getRun(runs[0]!.runId))!.wakeAt).toBeUndefined()

    clock.advance(19_000)
    for (const run of runs) expect((await engine.wait(run.runId)).status).toBe('completed')
    expect(clock.pending).toBe(0)
  })

  it('wakes a run waiting for a signal when the signal comes, with no timer while it waits', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const engine = open(store, clock)
    await engine.register(def({ wait: { action: 'wait-for-event', params: { event: 'go' } } }))
    const run = await engine.start('wf')
    expect(await passive(store, run.runId)).toBe(Number.POSITIVE_INFINITY)
    await until(() => clock.pending === 0)
    expect((await engine.getRun(run.runId))!.tasks.wait!.status).toBe('waiting')
    const { epoch } = (await store.getRun(run.runId))!

    await engine.signal(run.runId, 'go', { ok: 1 })
    // It was loaded again (a new claim), not found in memory.
    expect((await store.getRun(run.runId))!.epoch).toBe(epoch + 1)
    const done = await engine.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(done.output).toEqual({ wait: { ok: 1 } })
  })

  it('keeps snapshotting a run that wakes again and again, so its restore stays short', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const engine = open(store, clock, { snapshotEvery: 1 })
    await engine.register(def({ wait: { action: 'wait-for-event', params: { event: 'go' } } }))
    const run = await engine.start('wf')
    await passive(store, run.runId)
    for (let i = 0; i < 30; i++) {
      const { epoch } = (await store.getRun(run.runId))!
      await engine.signal(run.runId, 'noise', i)
      expect((await store.getRun(run.runId))!.epoch).toBe(epoch + 1)
      await engine.idle()
    }
    const { seq } = (await store.getRun(run.runId))!
    const snapshot = await store.latestSnapshot(run.runId)
    // A snapshot every 4 entries per task (1 task here): never more than that behind.
    expect(seq - (snapshot?.seq ?? 0)).toBeLessThanOrEqual(4)
  })

  it('takes a signal sent while the run is just going passive', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const engine = open(store, clock)
    await engine.register(def({ wait: { action: 'wait-for-event', params: { event: 'go' } } }))
    for (let i = 0; i < 5; i++) {
      const run = await engine.start('wf')
      // No wait in between: the signal lands as the run's wait commits and it leaves memory.
      for (let turns = 0; turns < i; turns++) await Promise.resolve()
      await engine.signal(run.runId, 'go', i)
      expect((await engine.wait(run.runId)).output).toEqual({ wait: i })
    }
  })

  it('pauses a passive run on request: it comes back into memory, paused, and resumes to sleep again', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const engine = open(store, clock)
    await engine.register(sleeper)
    const run = await engine.start('wf', { ms: 10_000 })
    await passive(store, run.runId)
    await until(() => clock.pending === 1)
    const { epoch } = (await store.getRun(run.runId))!

    expect((await engine.pause(run.runId)).status).toBe('paused')
    expect((await store.getRun(run.runId))!.epoch).toBe(epoch + 1)
    expect((await store.getRun(run.runId))!.wakeAt).toBeUndefined()
    await engine.resume(run.runId)
    expect(await passive(store, run.runId)).toBe(START + 10_000)
    clock.advance(10_000)
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })

  it('lets a passive run hold no maxConcurrentRuns slot, and goes on with it when it wakes', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const engine = open(store, clock, { maxConcurrentRuns: 1 })
    await engine.register(sleeper)
    await engine.register({
      ...def({ wait: { action: 'wait-for-event', params: { event: 'go' } } }),
      id: 'other',
    })
    const sleeping = await engine.start('wf', { ms: 5_000 })
    await passive(store, sleeping.runId)
    const next = await engine.start('other')
    expect(next.status).toBe('running')
    clock.advance(5_000)
    expect((await engine.wait(sleeping.runId)).status).toBe('completed')
  })

  it('hands the deadline heap to the next engine when the leader closes', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const leader = open(store, clock)
    await leader.register(sleeper)
    const run = await leader.start('wf', { ms: 5_000 })
    await passive(store, run.runId)
    const follower = open(store, clock)
    await until(() => clock.pending === 1)
    await leader.close()

    // The follower leads now and loads the passive run from the store's wakeAt index.
    await until(() => clock.pending === 1)
    clock.advance(5_000)
    expect((await follower.wait(run.runId)).status).toBe('completed')
  })
})

describe('passivation and another engine waiting for the run', () => {
  it('a follower waiting to take a run over leaves it passive when the leader puts it to sleep', async () => {
    const store = memoryStore()
    const clock = simulatedClock(START)
    const first = controllable()
    const actions = { first: first.handler }
    const leader = open(store, clock, { actions })
    await leader.register(
      def({
        first: { action: 'first' },
        sleep: { action: 'delay', params: { ms: 5_000 }, dependsOn: ['first'] },
      }),
    )
    const run = await leader.start('wf')
    await until(() => first.calls.length === 1)
    // The follower's recovery finds the run executing in the leader: it waits for its lock.
    const follower = open(store, clock, { actions })
    await follower.idle()
    first.calls[0]!.resolve('done')
    await passive(store, run.runId)
    const { epoch } = (await store.getRun(run.runId))!
    // The leader let go of the lock to put the run to sleep; the follower takes it and gives it back.
    await until(() => lockIsFree(store.name, run.runId))
    expect((await store.getRun(run.runId))!.epoch).toBe(epoch)
    expect((await leader.pause(run.runId)).status).toBe('paused')
  })
})

describe('passivation across reloads (IndexedDB)', () => {
  const temp = tempStores()

  it("fires at once, on recover(), a passive run's deadline that passed while no engine ran", async () => {
    const name = temp.open().name
    const first = open(temp.open(name), simulatedClock(START))
    await first.register(sleeper)
    const run = await first.start('wf', { ms: 60_000 })
    expect(await passive(temp.open(name), run.runId)).toBe(START + 60_000)
    await first.close()

    const second = open(temp.open(name), simulatedClock(START + 120_000))
    const done = await second.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.sleep!.status).toBe('completed')
  })
})
