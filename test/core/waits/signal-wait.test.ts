import { type Engine, memoryStore } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { def, testEngine } from '../../support/engine-fixtures'
import { startedRun, types, workflow } from '../reducer/reducer-fixtures'

/** A wait-for-event that times out after 1 s and retries once, 1 s later spread by ± 50 %. */
const retried = { initialDelayMs: 1000, maxAttempts: 2, jitter: 0.5, backoff: 2, maxDelayMs: 60_000 }

describe('a wait-for-event that times out (S4)', () => {
  it.each([
    [0, 500],
    [0.5, 1000],
    [0.9, 1400],
  ])('spreads its retry by the draw its timer.fired carries (%s -> %s ms)', (rand, delayMs) => {
    const wf = workflow({ a: { action: 'wait-for-event', params: { event: 'go' }, retry: retried } })
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.waiting', taskId: 'a', signal: 'go', until: 60, at: 20 })
    const step = feed({ type: 'timer.fired', taskId: 'a', rand, at: 60 })
    expect(types(step)).toEqual(['timer.fired', 'task.timed-out', 'task.failed', 'task.retrying'])
    expect(step.records[0]).toMatchObject({ type: 'timer.fired', rand })
    expect(step.records[3]).toMatchObject({ type: 'task.retrying', delayMs })
    expect(s.tasks.a!.wait).toEqual({ kind: 'backoff', until: 60 + delayMs })
  })

  it('spreads the retry of a timed-out forEach item by the same draw', () => {
    const wf = workflow({
      a: { action: 'wait-for-event', forEach: '[1]', params: { event: 'go' }, retry: retried },
    })
    const { s, feed } = startedRun(wf)
    feed({
      type: 'task.waiting',
      taskId: 'a',
      items: [{ index: 0, signal: 'go', until: 60 }],
      count: 1,
      at: 20,
    })
    const step = feed({ type: 'timer.fired', taskId: 'a', rand: 0, at: 60 })
    expect(step.records.find((r) => r.type === 'task.retrying')).toMatchObject({ delayMs: 500 })
    expect(s.tasks.a!.wait).toEqual({ kind: 'backoff', until: 560 })
  })

  describe('in an engine', () => {
    const engines: Engine[] = []
    afterEach(async () => {
      await Promise.all(engines.splice(0).map((e) => e.close()))
    })

    it("draws from the run's random source, journals the draw, and a recovering engine keeps the deadline", async () => {
      const store = memoryStore()
      const first = testEngine({ store, random: () => 0.9 })
      engines.push(first.engine)
      await first.engine.register(
        def({ a: { action: 'wait-for-event', params: { event: 'go', timeoutMs: 1000 }, retry: retried } }),
      )
      const run = await first.engine.start('wf', {}, { runId: 'r1' })
      await first.engine.idle()
      const t0 = first.clock.now()
      first.clock.advance(1000)
      await first.engine.idle()
      const history = await first.engine.history(run.runId)
      expect(history.find((e) => e.type === 'timer.fired')).toMatchObject({ rand: 0.9 })
      expect(history.find((e) => e.type === 'task.retrying')).toMatchObject({ delayMs: 1400 })
      const deadline = (await first.engine.runSnapshot(run.runId))!.state.tasks.a!.wait
      expect(deadline).toEqual({ kind: 'backoff', until: t0 + 1000 + 1400 })
      await first.engine.close()

      // Another draw source: the replayed timer.fired keeps the journaled draw.
      const second = testEngine({ store, random: () => 0.1 })
      engines.push(second.engine)
      await second.engine.recover()
      const restored = (await second.engine.runSnapshot(run.runId))!.state.tasks.a!
      expect(restored).toMatchObject({ status: 'retrying', wait: deadline })
    })
  })
})
