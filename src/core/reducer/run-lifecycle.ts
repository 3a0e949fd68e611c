import type { RunState } from '../../types'
import { canRetry } from '../run-state'
import type { HandlerTable, RunStep } from './run-step'
import { armRun, failRun, retryTask, stopTasks } from './task-outcomes'
import { endPause, enqueue, releaseSlot, stopWaiting, triggered } from './task-scheduling'

type LifecycleEvent =
  | 'workflow.queued'
  | 'workflow.started'
  | 'workflow.paused'
  | 'workflow.resumed'
  | 'workflow.cancelled'
  | 'workflow.completed'
  | 'workflow.failed'
  | 'workflow.timed-out'
  | 'workflow.recovered'
  | 'workflow.rolled-back'
  | 'checkpoint.saved'

/** The run's own events: start, pause, resume, its end, recovery, rollback, checkpoints. */
export const runLifecycle = {
  'workflow.queued': (s, e, step) => {
    setDeadline(s, step, e)
    step.record(s, e)
  },
  'workflow.started': (s, e, step) => {
    s.status = 'running'
    s.startedAt ??= e.at
    setDeadline(s, step, e)
    step.record(s, e)
    for (const id of step.wf.roots) enqueue(s, step, id, s.tasks[id]!)
    if (s.remaining === 0) step.command({ type: 'finish' })
  },
  'workflow.paused': (s, e, step) => {
    s.status = 'paused'
    s.pausedAt = e.at
    s.pauseReason = e.reason
    s.pauseError = e.error
    step.record(s, e)
  },
  'workflow.resumed': (s, e, step) => {
    s.status = 'running'
    endPause(s, step)
    s.pauseReason = undefined
    s.pauseError = undefined
    step.record(s, e)
    // After a rollback the run was restored without its timers.
    armRun(s, step)
    for (const id of step.wf.order) {
      const t = s.tasks[id]!
      if (canRetry(s, t)) retryTask(s, step, id, t, true)
    }
    // Rolled back to its last completion: nothing is left to run, but the run must still end.
    if (s.remaining === 0) step.command({ type: 'finish' })
  },
  'workflow.cancelled': (s, e, step) => {
    stopTasks(s, step, e.reason ?? 'the run was cancelled')
    for (const id in s.tasks) {
      const t = s.tasks[id]!
      if (t.status === 'pending') {
        stopWaiting(s, step, t)
        t.status = 'cancelled'
        t.endedAt = e.at
      }
    }
    s.status = 'cancelled'
    s.endedAt = e.at
    endPause(s, step)
    if (s.deadline !== undefined) step.command({ type: 'disarm-run' })
    step.record(s, e)
  },
  'workflow.completed': (s, e, step) => {
    s.status = 'completed'
    s.endedAt = e.at
    endPause(s, step)
    s.pauseReason = undefined
    s.pauseError = undefined
    if (s.deadline !== undefined) step.command({ type: 'disarm-run' })
    step.record(s, e)
  },
  'workflow.failed': (s, e, step) => {
    failRun(s, step, e.error)
  },
  'workflow.timed-out': (s, e, step) => {
    step.record(s, e)
    if (s.status === 'paused' && s.pausedAt !== undefined) s.pausedMs += e.at - s.pausedAt
    s.pausedAt = undefined
    s.pauseReason = undefined
    s.pauseError = undefined
    failRun(s, step, {
      code: 'TIMEOUT',
      message: `Run "${s.runId}" did not finish within its timeoutMs of ${e.timeoutMs} ms; its in-flight tasks were aborted.`,
    })
    // Spent: a run continued by hand afterwards (skipTask, retryTask) runs without a deadline.
    s.deadline = undefined
  },
  'workflow.recovered': (s, e, step) => {
    // Admitted before the restart but never started: a paused run starts them on resume.
    if (s.status === 'paused') {
      for (const id of step.wf.order) {
        const t = s.tasks[id]!
        if (t.status === 'pending' && t.dispatched) {
          releaseSlot(s, t)
          enqueue(s, step, id, t)
        }
      }
    }
    step.record(s, e)
  },
  'workflow.rolled-back': (s, e, step) => {
    rollBack(s, step, e.lastSeq)
    step.record(s, e)
    armRun(s, step)
  },
  'checkpoint.saved': (s, e, step) => {
    step.record(s, { ...e, checkpointId: `${s.runId}:${s.seq + 1}` })
  },
} satisfies Pick<HandlerTable, LifecycleEvent>

/** The deadline comes with the run's first event; a queued run that starts keeps it. */
function setDeadline(s: RunState, step: RunStep, event: { deadline?: number; timeoutMs?: number }): void {
  if (event.deadline === undefined) return
  s.deadline = event.deadline
  s.timeoutMs = event.timeoutMs
  armRun(s, step)
}

/** The state replayed up to a checkpoint, made ready to resume: nothing is in flight any more. */
function rollBack(s: RunState, step: RunStep, lastSeq: number): void {
  s.seq = Math.max(s.seq, lastSeq)
  s.ready = []
  s.readyHead = 0
  s.inFlight = 0
  for (const id of step.wf.order) {
    const t = s.tasks[id]!
    if (
      t.status === 'running' ||
      t.status === 'waiting' ||
      t.status === 'retrying' ||
      t.status === 'cancelled'
    ) {
      t.status = 'pending'
      t.readyAt = undefined
      t.startedAt = undefined
    }
    t.dispatched = false
    t.wait = undefined
    if (t.status === 'pending' && triggered(step, id, t)) enqueue(s, step, id, t)
  }
  s.status = 'paused'
  s.pausedAt = step.at
  s.pauseReason = 'rolled back to a checkpoint; resume to continue'
  s.pauseError = undefined
  s.error = undefined
  s.endedAt = undefined
}
