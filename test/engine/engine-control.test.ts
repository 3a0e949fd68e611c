import { defineAction, TaskError } from 'spindle'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine, until } from '../support/engine-fixtures'

const failing = (times: number, code = 'BOOM') => {
  let calls = 0
  return () => {
    calls++
    if (calls <= times) throw new TaskError(code as never, `failure ${calls}`)
    return `ok after ${calls}`
  }
}

describe('retries and back-off', () => {
  it('retries with exponential back-off on the injected clock, then succeeds', async () => {
    const { engine, clock } = testEngine({ actions: { flaky: failing(2) } })
    await engine.register(
      def({
        a: {
          action: 'flaky',
          retry: { maxAttempts: 3, initialDelayMs: 1000, backoff: 2, maxDelayMs: 60_000 },
        },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    let view = (await engine.getRun(run.runId))!
    expect(view.tasks.a).toMatchObject({ status: 'retrying', attempts: 1 })
    clock.advance(999)
    await engine.idle()
    expect((await engine.getRun(run.runId))!.tasks.a!.attempts).toBe(1)
    clock.advance(1)
    await engine.idle()
    view = (await engine.getRun(run.runId))!
    expect(view.tasks.a).toMatchObject({ status: 'retrying', attempts: 2 })
    clock.advance(2000)
    view = await engine.wait(run.runId)
    expect(view.tasks.a).toMatchObject({ status: 'completed', attempts: 3, output: 'ok after 3' })
    const retrying = (await engine.history(run.runId)).filter((e) => e.type === 'task.retrying')
    expect(retrying.map((e) => (e as { delayMs: number }).delayMs)).toEqual([1000, 2000])
  })

  it('spreads the delay by the jitter and caps it at maxDelayMs', async () => {
    const { engine, clock } = testEngine({ actions: { flaky: failing(3) }, random: () => 1 })
    await engine.register(
      def({
        a: {
          action: 'flaky',
          retry: { maxAttempts: 4, initialDelayMs: 1000, backoff: 10, maxDelayMs: 5000, jitter: 0.2 },
        },
      }),
    )
    const run = await engine.start('wf')
    for (let i = 0; i < 3; i++) {
      await engine.idle()
      clock.advance(10_000)
    }
    await engine.wait(run.runId)
    const delays = (await engine.history(run.runId))
      .filter((e) => e.type === 'task.retrying')
      .map((e: any) => e.delayMs)
    expect(delays).toEqual([1200, 5000, 5000])
  })

  it('fails the run when attempts run out (onError fail), naming the task', async () => {
    const { engine, clock } = testEngine({ actions: { bad: failing(10, 'HTTP_500') } })
    await engine.register(
      def({
        a: { action: 'bad', retry: { maxAttempts: 2, initialDelayMs: 10 } },
        b: { action: 'noop', dependsOn: ['a'] },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    clock.advance(10)
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('failed')
    expect(view.error).toMatchObject({ code: 'TASK_FAILED', taskId: 'a' })
    expect(view.tasks.a).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'HTTP_500' } })
    expect(view.tasks.b!.status).toBe('cancelled')
  })

  it('aborts the action signal at timeoutMs and fails with TIMEOUT', async () => {
    let aborted: unknown
    const { engine, clock } = testEngine({
      actions: {
        hang: (_: unknown, ctx) =>
          new Promise(() => {
            ctx.signal.addEventListener('abort', () => {
              aborted = ctx.signal.reason
            })
          }),
      },
    })
    await engine.register(def({ a: { action: 'hang', timeoutMs: 5000 } }))
    const run = await engine.start('wf')
    await engine.idle()
    clock.advance(5000)
    const view = await engine.wait(run.runId)
    expect(aborted).toMatchObject({ code: 'TIMEOUT' })
    expect(view.error).toMatchObject({ code: 'TIMEOUT', taskId: 'a' })
    expect((await engine.history(run.runId)).some((e) => e.type === 'task.timed-out')).toBe(true)
  })
})

describe('onError policies', () => {
  it('skip: the task is skipped and dependents run', async () => {
    const { engine } = testEngine({ actions: { bad: failing(10) } })
    await engine.register(
      def({ a: { action: 'bad', onError: 'skip' }, b: { action: 'noop', dependsOn: ['a'] } }),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.a).toMatchObject({ status: 'skipped', error: { code: 'BOOM' } })
  })

  it('continue: the error becomes the output, visible to dependents; the run completes', async () => {
    const { engine } = testEngine({ actions: { bad: failing(10) } })
    await engine.register(
      def(
        {
          a: { action: 'bad', onError: 'continue' },
          b: {
            action: 'transform',
            dependsOn: ['a'],
            params: { value: "${ tasks.a.status + ': ' + tasks.a.output.error.code }" },
          },
        },
        { output: 'tasks.b.output' },
      ),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.status).toBe('completed')
    expect(view.output).toBe('failed: BOOM')
    expect(view.tasks.a).toMatchObject({
      status: 'failed',
      output: { error: { code: 'BOOM', message: 'failure 1' } },
    })
    expect(view.progress.completed).toBe(2)
  })

  it('pause: the run pauses for a person; resume retries the task', async () => {
    const { engine } = testEngine({ actions: { flaky: failing(1) } })
    await engine.register(def({ a: { action: 'flaky', onError: 'pause' } }))
    const run = await engine.start('wf')
    await engine.idle()
    let view = (await engine.getRun(run.runId))!
    expect(view.status).toBe('paused')
    expect(view.pauseReason).toMatchObject({
      code: 'BOOM',
      taskId: 'a',
      message: expect.stringMatching(/Task "a" failed/),
    })
    await engine.resume(run.runId)
    view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.a).toMatchObject({ attempts: 2, output: 'ok after 2' })
  })

  it('pause: skipTask lets the run go on without the task', async () => {
    const { engine } = testEngine({ actions: { bad: failing(10) } })
    await engine.register(
      def({
        a: { action: 'bad', onError: 'pause' },
        b: { action: 'noop', dependsOn: ['a'], trigger: 'all-done' },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.skipTask(run.runId, 'a')
    await engine.resume(run.runId)
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.a!.status).toBe('skipped')
    expect(view.tasks.b!.status).toBe('completed')
  })

  it('pause: skipTask skips the all-success dependents too; with nothing left, the run completes', async () => {
    const { engine } = testEngine({ actions: { bad: failing(10) } })
    await engine.register(
      def({ a: { action: 'bad', onError: 'pause' }, b: { action: 'noop', dependsOn: ['a'] } }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.skipTask(run.runId, 'a')
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.b!.status).toBe('skipped')
  })
})

describe('pause, resume, cancel, retryTask, skipTask', () => {
  it('pause stops new tasks; in-flight ones finish and are recorded; resume goes on', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' }, b: { action: 'slow', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await engine.idle()
    expect((await engine.pause(run.runId)).status).toBe('paused')
    slow.calls[0]!.resolve('a-done')
    await engine.idle()
    let view = (await engine.getRun(run.runId))!
    expect(view.tasks.a).toMatchObject({ status: 'completed', output: 'a-done' })
    expect(view.tasks.b!.status).toBe('pending')
    expect(slow.calls).toHaveLength(1)
    await expect(engine.pause(run.runId)).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await engine.resume(run.runId)
    await engine.idle()
    expect(slow.calls).toHaveLength(2)
    slow.calls[1]!.resolve('b-done')
    view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
  })

  it('cancel aborts in-flight actions and cancels every unfinished task', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(
      def({ a: { action: 'slow' }, b: { action: 'slow' }, c: { action: 'noop', dependsOn: ['a'] } }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    const info = await engine.cancel(run.runId, 'user asked')
    expect(info.status).toBe('cancelled')
    expect(slow.calls.every((c) => c.ctx.signal.aborted)).toBe(true)
    const view = (await engine.getRun(run.runId))!
    expect(Object.values(view.tasks).map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect((await engine.history(run.runId)).at(-1)).toMatchObject({
      type: 'workflow.cancelled',
      reason: 'user asked',
    })
    slow.calls[0]!.resolve('late')
    await engine.idle()
    expect((await engine.getRun(run.runId))!.tasks.a!.status).toBe('cancelled')
  })

  it('retryTask re-runs a failed task of a failed run, which then completes', async () => {
    // b holds the run open after the retry: how far a run of no-ops gets before the call returns
    // is scheduling, not what retryTask promises.
    const hold = controllable()
    const { engine } = testEngine({ actions: { flaky: failing(1), hold: hold.handler } })
    await engine.register(def({ a: { action: 'flaky' }, b: { action: 'hold', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    expect((await engine.wait(run.runId)).status).toBe('failed')
    await expect(engine.retryTask(run.runId, 'b')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect((await engine.retryTask(run.runId, 'a')).status).toBe('running')
    await until(() => hold.calls.length === 1)
    hold.calls[0]!.resolve('done')
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.a).toMatchObject({ attempts: 2, status: 'completed' })
  })

  it('skipTask on a running task aborts it and lets dependents run', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await engine.idle()
    await engine.skipTask(run.runId, 'a')
    expect(slow.calls[0]!.ctx.signal.aborted).toBe(true)
    const view = await engine.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.a!.status).toBe('skipped')
  })
})

describe('durable waits: delay and wait-for-event', () => {
  it('delay waits on the clock, without holding a concurrency slot', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def(
        { nap: { action: 'delay', params: { ms: 60_000 } }, other: { action: 'noop' } },
        { concurrency: 1 },
      ),
    )
    const run = await engine.start('wf')
    await engine.idle()
    let view = (await engine.getRun(run.runId))!
    expect(view.tasks.nap!.status).toBe('waiting')
    expect(view.tasks.other!.status).toBe('completed')
    clock.advance(59_999)
    await engine.idle()
    expect((await engine.getRun(run.runId))!.tasks.nap!.status).toBe('waiting')
    clock.advance(1)
    view = await engine.wait(run.runId)
    expect(view.tasks.nap!.status).toBe('completed')
  })

  it('wait-for-event completes with the signal payload, buffered if it came early', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def(
        {
          gate: { action: 'delay', params: { ms: 1000 } },
          approval: { action: 'wait-for-event', dependsOn: ['gate'], params: { event: 'ok' } },
        },
        { output: 'tasks.approval.output' },
      ),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.signal(run.runId, 'ok', { by: 'alice' })
    expect((await engine.getRun(run.runId))!.tasks.approval!.status).toBe('pending')
    clock.advance(1000)
    const view = await engine.wait(run.runId)
    expect(view.output).toEqual({ by: 'alice' })
  })

  it('wait-for-event times out with TIMEOUT', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def({ w: { action: 'wait-for-event', params: { event: 'never', timeoutMs: 1000 } } }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    clock.advance(1000)
    const view = await engine.wait(run.runId)
    expect(view.error).toMatchObject({ code: 'TIMEOUT', taskId: 'w' })
  })

  it('bad params of built-ins, computed as the task runs, fail the task with INPUT_INVALID', async () => {
    const { engine } = testEngine()
    await engine.register(def({ d: { action: 'delay', params: { ms: '${ input.ms }' } } }))
    const view = await engine.wait((await engine.start('wf', { ms: -5 })).runId)
    expect(view.tasks.d!.error).toMatchObject({ code: 'INPUT_INVALID' })
  })
})

describe('actions made with defineAction', () => {
  it('validates input with a Standard Schema: bad input fails without retry', async () => {
    const greet = defineAction({
      input: v.object({ name: v.string() }),
      output: v.string(),
      run: ({ name }) => `hi ${name}`,
    })
    const { engine } = testEngine({ actions: { greet } })
    await engine.register(
      def({ ok: { action: 'greet', params: { name: 'ann' } } }, { output: 'tasks.ok.output' }),
    )
    expect((await engine.wait((await engine.start('wf')).runId)).output).toBe('hi ann')
    await engine.register({
      ...def({ bad: { action: 'greet', params: { name: 5 }, retry: { maxAttempts: 3 } } }),
      version: '2.0.0',
    })
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.tasks.bad).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'INPUT_INVALID' } })
  })

  it('rejects bad specs and bad action registrations', () => {
    expect(() => defineAction({} as never)).toThrow(/run\(input, ctx\)/)
    expect(() => defineAction({ input: {} as never, run: () => 1 })).toThrow(/Standard Schema/)
    expect(() => testEngine({ actions: { x: 5 as never } })).toThrow(/must be a function/)
    expect(() => testEngine({ actions: { noop: () => 1 } })).toThrow(/built-in/)
    expect(() => testEngine({ maxConcurrentRuns: 0 })).toThrow(/maxConcurrentRuns/)
  })
})
