import type { ErrorInfo, RunState, TaskState } from '../../types'
import type { RunEvent, RunStep } from './run-step'
import { disarm, enqueue, releaseSlot, settle, stopClock, stopWaiting, triggered } from './task-scheduling'

/*
 * How an attempt ends (completion, failure with its retry or `onError` verdict) and how the run
 * ends with it. Shared by the handlers of several event families.
 */

/** Completes the task with `output`, recording `input` or a `task.completed` of its own. */
export function complete(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  output: unknown,
  input?: RunEvent,
): void {
  stopClock(step, t)
  releaseSlot(s, t)
  disarm(step, id, t)
  t.error = undefined
  // The completion's journal position is also a checkpoint (see checkpointsOf).
  step.record(s, input ?? { type: 'task.completed', taskId: id, attempt: t.attempts, output, at: step.at })
  settle(s, step, id, t, 'completed')
}

/** What ended an attempt in failure. */
export interface AttemptFailure {
  error: ErrorInfo
  /** The engine's random draw for the back-off jitter. */
  rand: number
  /** Retrying cannot cure it. */
  noRetry: boolean
  /**
   * The next attempt waits at least this long, up to `retry.maxDelayMs` (the action's
   * `retryAfterMs`, e.g. `Retry-After`).
   */
  retryAfterMs?: number
  /** The `task.failed` the engine sent, completed with the verdict; absent when the run derives it. */
  input?: RunEvent
}

/** Fails the current attempt: a retry after back-off, or the task's `onError` verdict. */
export function failAttempt(s: RunState, step: RunStep, id: string, t: TaskState, f: AttemptFailure): void {
  const { at } = step
  stopClock(step, t)
  t.failedAttempts += 1
  releaseSlot(s, t)
  disarm(step, id, t)
  t.error = f.error
  t.endedAt = at
  const task = step.wf.tasks.get(id)!
  const retry = task.retry
  const used = t.attempts - t.attemptBase
  const final = f.noRetry || used >= retry.maxAttempts
  // With `continue`, the error becomes the task's output (the record carries the verdict).
  const continued = final && task.onError === 'continue' ? { continued: true } : {}
  step.record(
    s,
    f.input && f.input.type === 'task.failed'
      ? { ...f.input, final, ...continued }
      : { type: 'task.failed', taskId: id, attempt: t.attempts, error: f.error, final, ...continued, at },
  )
  if (!final) {
    const base = retry.initialDelayMs * retry.backoff ** (used - 1)
    const spread = base * (1 + retry.jitter * (2 * f.rand - 1))
    const backoff = Math.max(0, Math.round(Math.min(retry.maxDelayMs, spread)))
    // `retryAfterMs` comes from the other side (a server's Retry-After): it may lengthen the wait
    // up to the user's stated ceiling, never past it, so no answer parks a task for years.
    const asked = Math.min(f.retryAfterMs ?? 0, retry.maxDelayMs)
    const delayMs = Math.max(backoff, asked)
    t.status = 'retrying'
    t.readyAt = at
    t.wait = { kind: 'backoff', until: at + delayMs }
    step.record(s, { type: 'task.retrying', taskId: id, attempt: t.attempts + 1, delayMs, at })
    step.command({ type: 'arm', taskId: id, deadline: t.wait.until })
    return
  }
  const { error } = f
  switch (task.onError) {
    case 'fail':
      t.status = 'failed'
      failRun(s, step, {
        code: error.code === 'TIMEOUT' ? 'TIMEOUT' : 'TASK_FAILED',
        message: `Task "${id}" failed: ${error.message}`,
        taskId: id,
      })
      return
    case 'skip':
      t.skipReason = 'on-error'
      step.record(s, { type: 'task.skipped', taskId: id, reason: 'on-error', at })
      settle(s, step, id, t, 'skipped')
      return
    case 'continue':
      t.continued = true
      settle(s, step, id, t, 'failed')
      return
    case 'pause':
      t.status = 'failed'
      if (s.status === 'running') {
        s.status = 'paused'
        s.pausedAt = at
        s.pauseReason = `Task "${id}" failed: ${error.message}. Fix the cause, then resume (retries it) or skip the task.`
        s.pauseError = { ...error, taskId: id }
        step.record(s, {
          type: 'workflow.paused',
          reason: s.pauseReason,
          error: s.pauseError,
          at,
        })
      }
      return
  }
}

/** Makes a failed task pending again with a fresh retry budget (`retryTask`, or `resume` deriving it). */
export function retryTask(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  derived: boolean,
  input?: RunEvent,
): void {
  t.status = 'pending'
  t.error = undefined
  t.endedAt = undefined
  t.readyAt = undefined
  t.attemptBase = t.attempts
  step.record(
    s,
    input ?? {
      type: 'task.retrying',
      taskId: id,
      attempt: t.attempts + 1,
      delayMs: 0,
      manual: true,
      at: step.at,
    },
  )
  if (!derived) revive(s, step)
  if (triggered(step, id, t)) enqueue(s, step, id, t)
}

/** Aborts and cancels every task in flight, waiting or in back-off; empties the ready queue. */
export function stopTasks(s: RunState, step: RunStep, reason: string): void {
  for (const id in s.tasks) {
    const t = s.tasks[id]!
    if (t.status === 'running' || t.status === 'waiting' || t.status === 'retrying' || t.dispatched) {
      if (t.status === 'running' || t.status === 'waiting')
        step.command({ type: 'abort', taskId: id, reason })
      stopClock(step, t)
      stopWaiting(s, step, t)
      disarm(step, id, t)
      releaseSlot(s, t)
      t.status = 'cancelled'
      t.endedAt = step.at
    }
  }
  s.ready = []
  s.readyHead = 0
}

/** Fails the run: its tasks stop, and every task ends in a terminal status. */
export function failRun(s: RunState, step: RunStep, error: ErrorInfo): void {
  stopTasks(s, step, `the run failed: ${error.message}`)
  // `retryTask`/`skipTask` revive the cancelled ones.
  for (const id in s.tasks) {
    const t = s.tasks[id]!
    if (t.status === 'pending') t.status = 'cancelled'
  }
  s.status = 'failed'
  s.error = error
  s.endedAt = step.at
  if (s.deadline !== undefined) step.command({ type: 'disarm-run' })
  step.record(s, { type: 'workflow.failed', error, at: step.at })
}

/** Arms the run's deadline while the run can still time out (queued, running or paused). */
export function armRun(s: RunState, step: RunStep): void {
  if (s.deadline !== undefined) step.command({ type: 'arm-run', deadline: s.deadline })
}

/** After `retryTask` or `skipTask` on a failed run: it runs again from where it stopped. */
export function revive(s: RunState, step: RunStep): void {
  if (s.status !== 'failed') return
  s.status = 'running'
  s.error = undefined
  s.endedAt = undefined
  armRun(s, step)
  for (const id of step.wf.order) {
    const t = s.tasks[id]!
    if (t.status === 'cancelled') {
      t.status = 'pending'
      t.readyAt = undefined
    }
    if (t.status === 'pending' && !t.dispatched && triggered(step, id, t)) enqueue(s, step, id, t)
  }
}
