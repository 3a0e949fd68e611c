import type { LoggedEvent } from '../../types'
import { consumeEvent } from '../event-waits'
import type { HandlerTable } from './run-step'
import { complete, failAttempt, retryTask, revive } from './task-outcomes'
import { disarm, releaseSlot, settle, start, stopClock } from './task-scheduling'

type AttemptEvent =
  | 'task.started'
  | 'task.progress'
  | 'task.log'
  | 'task.completed'
  | 'task.cached'
  | 'task.item-completed'
  | 'task.failed'
  | 'task.timed-out'
  | 'task.retrying'
  | 'task.skipped'

/** A task's attempts: start, what they report while working, and how they end. */
export const taskAttempts = {
  'task.started': (s, e, step) => {
    start(s, step, e.taskId, s.tasks[e.taskId]!, e.attempt, e)
    // Like an admission in fill(): the action starts once this record is committed, so a
    // crash before the commit cannot hand the next executor the same attempt number.
    step.command({ type: 'start', taskId: e.taskId, attempt: e.attempt })
  },
  'task.progress': (s, e, step) => {
    step.record(s, e)
  },
  'task.log': (s, e, step) => {
    step.record(s, e)
  },
  'task.completed': (s, e, step) => {
    // An emitted event that ended a wait is the run's: no other wait of it takes the event again.
    if (e.emitted !== undefined) consumeEvent(s, e.emitted, (e.output as LoggedEvent).at, e.at)
    complete(s, step, e.taskId, s.tasks[e.taskId]!, e.output, e)
  },
  // A result cache hit ends the attempt as a completion does: output, dependents, checkpoint.
  'task.cached': (s, e, step) => {
    complete(s, step, e.taskId, s.tasks[e.taskId]!, e.output, e)
  },
  'task.item-completed': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    t.itemsDone = (t.itemsDone ?? 0) + 1
    step.record(s, e)
  },
  'task.failed': (s, e, step) => {
    failAttempt(s, step, e.taskId, s.tasks[e.taskId]!, {
      error: e.error,
      rand: e.rand ?? 0.5,
      noRetry: e.noRetry ?? false,
      retryAfterMs: e.retryAfterMs,
      input: e,
    })
  },
  'task.timed-out': (s, e, step) => {
    step.record(s, e)
    const error = { code: 'TIMEOUT', message: `Task "${e.taskId}" timed out after ${e.timeoutMs} ms` }
    failAttempt(s, step, e.taskId, s.tasks[e.taskId]!, { error, rand: e.rand ?? 0.5, noRetry: false })
  },
  'task.retrying': (s, e, step) => {
    retryTask(s, step, e.taskId, s.tasks[e.taskId]!, false, e)
  },
  'task.skipped': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    if (t.status === 'running' || t.status === 'waiting')
      step.command({ type: 'abort', taskId: e.taskId, reason: 'skipped' })
    stopClock(step, t)
    releaseSlot(s, t)
    disarm(step, e.taskId, t)
    t.skipReason = e.reason === 'condition' ? 'condition' : 'manual'
    step.record(s, e)
    revive(s, step)
    settle(s, step, e.taskId, t, 'skipped')
  },
} satisfies Pick<HandlerTable, AttemptEvent>
