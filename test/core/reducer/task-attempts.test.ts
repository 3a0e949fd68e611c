import { describe, expect, it } from 'vitest'
import { taskAttempts } from '../../../src/core/reducer/task-attempts'
import { can } from '../../../src/core/run-state'
import { chain, fed, runOf, startedRun, types, workflow } from './reducer-fixtures'

describe('task attempts', () => {
  const retried = () =>
    workflow({
      a: { action: 'noop', retry: { maxAttempts: 2, initialDelayMs: 100, backoff: 2, jitter: 0 } },
      b: { action: 'noop', dependsOn: ['a'] },
    })

  it('task.started of a dispatched task starts it once recorded', () => {
    const { s, feed } = runOf(workflow({ a: { action: 'noop', when: 'true' } }))
    feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 10 })
    const step = feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 15 })
    expect(step.commands).toEqual([{ type: 'start', taskId: 'a', attempt: 1 }])
    expect(s.tasks.a).toMatchObject({ status: 'running', startedAt: 15, queueMs: 5 })
  })

  it('task.started again on a running task (a lost attempt) does not use up the retry budget', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.started', taskId: 'a', attempt: 2, at: 15 })
    expect(s.tasks.a).toMatchObject({ attempts: 2, attemptBase: 1 })
  })

  it('task.progress and task.log are recorded and change nothing else', () => {
    const { s, feed } = startedRun(chain())
    const before = structuredClone(s.tasks)
    expect(types(feed({ type: 'task.progress', taskId: 'a', fraction: 0.5, at: 11 }))).toEqual([
      'task.progress',
    ])
    expect(types(feed({ type: 'task.log', taskId: 'a', message: 'hi', at: 12 }))).toEqual(['task.log'])
    expect(s.tasks).toEqual(before)
    expect(s.seq).toBe(4)
  })

  it('task.completed settles the task and admits its dependents', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'task.completed', taskId: 'a', attempt: 1, output: 1, at: 20 })
    expect(types(step)).toEqual(['task.completed', 'task.started'])
    expect(step.commands).toEqual([{ type: 'start', taskId: 'b', attempt: 1 }])
    expect(s.tasks.a).toMatchObject({ status: 'completed', runMs: 10, endedAt: 20 })
    expect(s.remaining).toBe(1)
  })

  it('task.cached (a result cache hit) settles the task as a completion and admits its dependents', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({
      type: 'task.cached',
      taskId: 'a',
      attempt: 1,
      output: 1,
      fromRunId: 'r0',
      fromTaskId: 'a',
      at: 20,
    })
    expect(types(step)).toEqual(['task.cached', 'task.started'])
    expect(step.records[0]).toMatchObject({ fromRunId: 'r0', fromTaskId: 'a', output: 1 })
    expect(step.commands).toEqual([{ type: 'start', taskId: 'b', attempt: 1 }])
    expect(s.tasks.a).toMatchObject({ status: 'completed', runMs: 10, endedAt: 20 })
    expect(s.remaining).toBe(1)
  })

  it('task.cached is taken only for the running attempt of a task, as task.completed is', () => {
    const { s } = startedRun(chain())
    const hit = {
      type: 'task.cached',
      taskId: 'a',
      attempt: 1,
      fromRunId: 'r0',
      fromTaskId: 'a',
      at: 20,
    } as const
    expect(can(s, hit)).toBe(true)
    expect(can(s, { ...hit, attempt: 2 })).toBe(false)
    expect(can(s, { ...hit, taskId: 'b' })).toBe(false)
  })

  it('task.item-completed counts the items done', () => {
    const { s, feed } = startedRun(workflow({ a: { action: 'noop', forEach: '[1, 2]' } }))
    feed({ type: 'task.item-completed', taskId: 'a', index: 1, output: 2, at: 11 })
    feed({ type: 'task.item-completed', taskId: 'a', index: 0, output: 1, at: 12 })
    expect(s.tasks.a!.itemsDone).toBe(2)
  })

  it('task.failed with attempts left goes into back-off and arms its timer', () => {
    const { s, feed } = startedRun(retried())
    const step = feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'X', message: 'x' },
      rand: 0.3,
      at: 20,
    })
    expect(types(step)).toEqual(['task.failed', 'task.retrying'])
    expect(step.records[0]).toMatchObject({ final: false })
    expect(step.records[1]).toMatchObject({ delayMs: 100, attempt: 2 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 120 }])
    expect(s.tasks.a).toMatchObject({ status: 'retrying', failedAttempts: 1 })
    expect(s.inFlight).toBe(0)
  })

  it('task.failed with retryAfterMs waits at least that long before the next attempt, at most retry.maxDelayMs', () => {
    const longer = startedRun(retried())
    const step = longer.feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'HTTP_ERROR', message: 'HTTP 429' },
      rand: 0.3,
      retryAfterMs: 2_000,
      at: 20,
    })
    expect(step.records[1]).toMatchObject({ type: 'task.retrying', delayMs: 2_000 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 2_020 }])
    // A Retry-After shorter than the back-off does not shorten it.
    const shorter = startedRun(retried())
    const again = shorter.feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'HTTP_ERROR', message: 'HTTP 503' },
      rand: 0.3,
      retryAfterMs: 5,
      at: 20,
    })
    expect(again.records[1]).toMatchObject({ delayMs: 100 })
    // A server cannot park the task beyond the policy's ceiling: a year-long Retry-After waits maxDelayMs.
    const capped = startedRun(
      workflow({ a: { action: 'noop', retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 30_000 } } }),
    )
    const year = capped.feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'HTTP_ERROR', message: 'HTTP 503' },
      rand: 0.3,
      retryAfterMs: 365 * 24 * 3_600_000,
      at: 20,
    })
    expect(year.records[1]).toMatchObject({ type: 'task.retrying', delayMs: 30_000 })
    expect(year.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 30_020 }])
  })

  it('task.failed for good applies onError: fail fails the run', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'X', message: 'x' },
      at: 20,
    })
    expect(types(step)).toEqual(['task.failed', 'workflow.failed'])
    expect(s).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED', taskId: 'a' } })
  })

  it('task.failed for good applies onError: skip and continue; dependents follow their trigger rule', () => {
    for (const onError of ['skip', 'continue'] as const) {
      for (const trigger of ['all-success', 'all-done'] as const) {
        const wf = workflow({
          a: { action: 'noop', onError },
          b: { action: 'noop', dependsOn: ['a'], trigger },
        })
        const { s, feed } = startedRun(wf)
        const step = feed({
          type: 'task.failed',
          taskId: 'a',
          attempt: 1,
          error: { code: 'X', message: 'x' },
          at: 20,
        })
        expect(s.tasks.a!.status).toBe(onError === 'skip' ? 'skipped' : 'failed')
        // A failure under `continue` counts as completed; a skip skips an all-success dependent.
        const skipsB = onError === 'skip' && trigger === 'all-success'
        expect(s.tasks.b).toMatchObject(
          skipsB ? { status: 'skipped', skipReason: 'trigger' } : { status: 'running' },
        )
        expect(step.records[0]).toMatchObject(onError === 'continue' ? { continued: true } : { final: true })
      }
    }
  })

  it('task.failed with noRetry ends the task at once despite attempts left', () => {
    const { s, feed } = startedRun(retried())
    feed({
      type: 'task.failed',
      taskId: 'a',
      attempt: 1,
      error: { code: 'X', message: 'x' },
      noRetry: true,
      at: 20,
    })
    expect(s.status).toBe('failed')
  })

  it('task.timed-out records itself and fails the attempt with TIMEOUT', () => {
    const { s, feed } = startedRun(retried())
    const step = feed({ type: 'task.timed-out', taskId: 'a', attempt: 1, timeoutMs: 5, at: 15 })
    expect(types(step)).toEqual(['task.timed-out', 'task.failed', 'task.retrying'])
    expect(s.tasks.a!.error).toMatchObject({ code: 'TIMEOUT' })
  })

  it('task.retrying by hand revives a failed run from where it stopped', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' }, at: 20 })
    const step = feed({ type: 'task.retrying', taskId: 'a', attempt: 2, delayMs: 0, manual: true, at: 30 })
    expect(types(step)).toEqual(['task.retrying', 'task.started'])
    expect(s).toMatchObject({ status: 'running', error: undefined })
    expect(s.tasks.a).toMatchObject({ status: 'running', attempts: 2, attemptBase: 1 })
    expect(s.tasks.b!.status).toBe('pending')
  })

  it('task.skipped aborts a running task; an all-done dependent runs, an all-success one is skipped', () => {
    const { s, feed } = startedRun(
      workflow({
        a: { action: 'noop' },
        b: { action: 'noop', dependsOn: ['a'], trigger: 'all-done' },
        c: { action: 'noop', dependsOn: ['a'] },
      }),
    )
    const step = feed({ type: 'task.skipped', taskId: 'a', reason: 'manual', at: 20 })
    expect(types(step)).toEqual(['task.skipped', 'task.skipped', 'task.started'])
    expect(step.records[1]).toMatchObject({ taskId: 'c', reason: 'trigger' })
    expect(step.commands).toEqual([
      { type: 'abort', taskId: 'a', reason: 'skipped' },
      { type: 'start', taskId: 'b', attempt: 1 },
    ])
    expect(s.tasks.a).toMatchObject({ status: 'skipped', skipReason: 'manual' })
    expect(s.tasks.c).toMatchObject({ status: 'skipped', skipReason: 'trigger' })
  })
})

describe('the taskAttempts handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in taskAttempts).sort()).toEqual(Object.keys(taskAttempts).sort())
  })
})
