import {
  createEngine,
  type Engine,
  memoryStore,
  StaleExecutorError,
  type Store,
  simulatedClock,
} from 'spindle'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runLockName } from '../../src/host/locks'
import { faultyStore } from '../store/faulty-store'
import { brokenClock } from '../support/broken-clock'
import { controllable, def, testEngine, until } from '../support/engine-fixtures'

describe('attempts are recorded before their action starts (guarantee 2)', () => {
  const engines: Engine[] = []
  // The dying store also fails the reload that follows a failed write: that is reported.
  const reported: unknown[] = []
  beforeEach(() => {
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
  })
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
    vi.restoreAllMocks()
    for (const error of reported.splice(0)) expect(error).toMatchObject({ code: 'STORAGE_FAILED' })
  })
  /** An engine whose actions report every attempt they see, per task. */
  const open = (store: Store, seen: Map<string, number[]>, recover = false) => {
    const note = (task: string) => (_: unknown, ctx: { attempt: number }) => {
      seen.set(task, [...(seen.get(task) ?? []), ctx.attempt])
      return new Promise(() => {})
    }
    const engine = createEngine({
      store,
      recover,
      clock: simulatedClock(),
      random: () => 0.5,
      actions: { hang: note('hang'), gated: note('gated'), start: () => 'go' },
    })
    engines.push(engine)
    return engine
  }

  it('a task with `when` starts its action only once its task.started is committed', async () => {
    const inner = memoryStore()
    // The store "crashes" at the write that records the task as started: nothing is written from then on.
    let crashed = false
    const dying = faultyStore(inner, {
      method: 'commit',
      when: (batch) => {
        crashed ||= batch.entries.some((e) => e.type === 'task.started' && e.taskId === 'b')
        return crashed
      },
      times: Number.POSITIVE_INFINITY,
    })
    const seen = new Map<string, number[]>()
    const first = open(dying, seen)
    await first.register(
      def({ a: { action: 'start' }, b: { action: 'gated', dependsOn: ['a'], when: 'true' } }),
    )
    await first.start('wf', {}, { runId: 'r1' })
    await first.idle()
    expect(dying.fired.length).toBeGreaterThan(0)
    await first.close()

    const second = open(inner, seen)
    await second.recover()
    await second.idle()
    await second.close()
    const attempts = seen.get('gated') ?? []
    expect(attempts.length).toBeGreaterThan(0)
    expect(attempts).toEqual([...new Set(attempts)].sort((x, y) => x - y))
  })

  it('a task restarted by recovery starts its action only once the new attempt is committed', async () => {
    const inner = memoryStore()
    const seen = new Map<string, number[]>()
    const first = open(inner, seen)
    await first.register(def({ a: { action: 'hang' } }))
    await first.start('wf', {}, { runId: 'r1' })
    await first.idle()
    expect(seen.get('hang')).toEqual([1])
    await first.close()

    // This engine recovers the run, but its store takes no writes: it "crashes" at once.
    const dying = faultyStore(inner, { method: 'commit', times: Number.POSITIVE_INFINITY })
    const second = open(dying, seen)
    await expect(second.recover()).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
    await second.idle()
    await second.close()

    const third = open(inner, seen)
    await third.recover()
    await third.idle()
    await third.close()
    const attempts = seen.get('hang')!
    expect(attempts.length).toBeGreaterThan(1)
    expect(attempts).toEqual([...new Set(attempts)].sort((x, y) => x - y))
  })
})

describe('pausing a run stops its forEach tasks', () => {
  const setup = async (items: number, concurrency: number, task: Record<string, unknown> = {}) => {
    const work = controllable()
    const clock = simulatedClock()
    const engine = createEngine({
      store: memoryStore(),
      recover: false,
      clock,
      random: () => 0.5,
      actions: { work: work.handler },
    })
    await engine.register(
      def({
        each: {
          action: 'work',
          forEach: `[${Array.from({ length: items }, (_, i) => i).join(', ')}]`,
          params: { n: '${ item }' },
          concurrency,
          ...task,
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const types = async () => (await engine.history(runId)).map((e) => e.type)
    return { engine, clock, work, runId, types }
  }

  it('starts no new item after pause; in-flight items finish and are recorded; resume runs the rest', async () => {
    const { engine, work, runId, types } = await setup(5, 2)
    expect(work.calls.map((c) => c.params.n)).toEqual([0, 1])
    await engine.pause(runId)
    work.calls[0]!.resolve('r0')
    await engine.idle()
    expect(work.calls).toHaveLength(2)
    work.calls[1]!.resolve('r1')
    await engine.idle()
    expect(work.calls).toHaveLength(2)
    const view = (await engine.getRun(runId))!
    expect(view.status).toBe('paused')
    expect(view.tasks.each!.status).toBe('running')
    expect((await types()).filter((t) => t === 'task.item-completed')).toHaveLength(2)

    await engine.resume(runId)
    await engine.idle()
    expect(work.calls.map((c) => c.params.n)).toEqual([0, 1, 2, 3])
    for (const call of work.calls.slice(2)) call.resolve(`r${call.params.n}`)
    await engine.idle()
    work.calls[4]!.resolve('r4')
    const done = await engine.wait(runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.each).toMatchObject({
      status: 'completed',
      attempts: 1,
      output: ['r0', 'r1', 'r2', 'r3', 'r4'],
    })
    await engine.close()
  })

  it('does not complete the task while the run is paused, even when every item has finished', async () => {
    const { engine, work, runId, types } = await setup(2, 2)
    await engine.pause(runId)
    work.calls[0]!.resolve('r0')
    work.calls[1]!.resolve('r1')
    await engine.idle()
    expect(await types()).not.toContain('task.completed')
    expect((await engine.getRun(runId))!.tasks.each!.status).toBe('running')
    await engine.resume(runId)
    const done = await engine.wait(runId)
    expect(done.tasks.each).toMatchObject({ status: 'completed', output: ['r0', 'r1'] })
    await engine.close()
  })

  it('the time paused does not count against the attempt’s timeoutMs', async () => {
    const { engine, clock, work, runId, types } = await setup(2, 1, { timeoutMs: 1000 })
    clock.advance(400)
    await engine.pause(runId)
    work.calls[0]!.resolve('r0')
    await engine.idle()
    clock.advance(60_000)
    await engine.idle()
    expect(await types()).not.toContain('task.timed-out')
    await engine.resume(runId)
    await engine.idle()
    expect(work.calls).toHaveLength(2)
    clock.advance(500)
    await engine.idle()
    expect(await types()).not.toContain('task.timed-out')
    work.calls[1]!.resolve('r1')
    const done = await engine.wait(runId)
    expect(done.tasks.each).toMatchObject({ status: 'completed', output: ['r0', 'r1'] })
    await engine.close()
  })
})

describe('failures with no run to end in are reported, not lost', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('a clock that cannot arm a retry reports the failure through reportError', async () => {
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => {
      reported.push(error)
    })
    const clock = simulatedClock()
    const broken = new Error('no timers here')
    const engine = createEngine({
      store: memoryStore(),
      recover: false,
      random: () => 0.5,
      clock: brokenClock(clock, broken, (ms) => ms > 0),
      actions: {
        flaky: () => {
          throw new Error('try again')
        },
      },
    })
    await engine.register(def({ a: { action: 'flaky', retry: { maxAttempts: 2, initialDelayMs: 1000 } } }))
    await engine.start('wf')
    await engine.idle()
    // Once more when the engine came to lead in time to passivate the run: its wakeup cannot
    // be armed either (the cause of an unhandled rejection in loaded runs).
    expect(reported.length).toBeGreaterThan(0)
    expect(reported.every((error) => error === broken)).toBe(true)
    await engine.close()
  })
})

/** A store whose commits wait while the gate is shut. */
function gatedStore(inner: Store) {
  let gate: Promise<void> | undefined
  let openGate = () => {}
  let waiting = 0
  const faulty = faultyStore(inner)
  const store: Store = {
    ...faulty,
    async commit(batch) {
      if (gate) {
        waiting += 1
        await gate
        waiting -= 1
      }
      return faulty.commit(batch)
    },
  }
  return {
    store,
    /** How many commits wait at the shut gate. */
    get waiting() {
      return waiting
    },
    shut() {
      gate = new Promise((resolve) => {
        openGate = resolve
      })
    },
    open() {
      gate = undefined
      openGate()
    },
  }
}

describe('a stopped executor', () => {
  const engines: Engine[] = []
  let releaseStolen = () => {}
  afterEach(async () => {
    releaseStolen()
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it.each([
    ['pause', (e: Engine, runId: string) => e.pause(runId)],
    ['checkpoint', (e: Engine, runId: string) => e.checkpoint(runId)],
  ] as const)(
    '%s() whose entries were still queued when the lock was stolen rejects with STALE_EXECUTOR (S2, S9)',
    async (_, control) => {
      const gated = gatedStore(memoryStore())
      const slow = controllable()
      const { engine } = testEngine({ store: gated.store, actions: { slow: slow.handler } })
      engines.push(engine)
      await engine.register(def({ a: { action: 'slow' }, b: { action: 'slow' } }))
      const run = await engine.start('wf')
      await engine.idle()
      expect(slow.calls).toHaveLength(2)
      // a's completion is being committed; the control call's entries wait for the next commit.
      gated.shut()
      slow.calls[0]!.resolve('a')
      await until(() => gated.waiting === 1)
      const before = (await engine.runSnapshot(run.runId))!.seq
      const outcome = control(engine, run.runId).then(
        (value) => value,
        (error: unknown) => error,
      )
      // The call's record is in the run (its seq taken) but not written: it waits for the next commit.
      await until(async () => (await engine.runSnapshot(run.runId))!.seq > before)
      expect(gated.waiting).toBe(1)
      const held = new Promise<void>((resolve) => {
        releaseStolen = resolve
      })
      navigator.locks.request(runLockName(gated.store.name, run.runId), { steal: true }, () => held)
      await until(() => slow.calls[1]!.ctx.signal.aborted)
      gated.open()
      expect(await outcome).toBeInstanceOf(StaleExecutorError)
    },
  )
})
