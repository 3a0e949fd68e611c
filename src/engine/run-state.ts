import type { CompiledWorkflow, RunState, TaskState } from '../types'
import type { RunEvent } from './reducer/run-step'

/** The state of a run before anything happened. */
export function initialRunState(wf: CompiledWorkflow, runId: string, createdAt: number): RunState {
  const tasks: Record<string, TaskState> = {}
  for (const [id, task] of wf.tasks) {
    tasks[id] = {
      status: 'pending',
      attempts: 0,
      attemptBase: 0,
      failedAttempts: 0,
      deps: task.dependsOn.length,
      dispatched: false,
      runMs: 0,
      queueMs: 0,
    }
  }
  return {
    runId,
    definitionId: wf.definition.id,
    version: wf.definition.version,
    status: 'queued',
    createdAt,
    updatedAt: createdAt,
    seq: 0,
    concurrency: wf.concurrency,
    inFlight: 0,
    ready: [],
    readyHead: 0,
    remaining: wf.tasks.size,
    tasks,
    signals: {},
    bufferedSignals: 0,
    expectedDurationMs: wf.expectedDurationMs,
    pausedMs: 0,
  }
}

/**
 * Whether `event` applies to the run as it is. Events that do not (a completion of an attempt
 * that was aborted, a skip of a completed task) are ignored and leave no trace.
 */
export function accepts(s: RunState, e: RunEvent): boolean {
  if (!('taskId' in e)) return true
  const t = s.tasks[e.taskId]
  if (!t) return false
  switch (e.type) {
    case 'task.started':
      // A running task starts again only after a restore: its attempt was lost with the executor.
      return (
        (t.status === 'running' || (t.status === 'pending' && t.dispatched)) && e.attempt === t.attempts + 1
      )
    case 'task.completed':
      return (t.status === 'running' || t.status === 'waiting') && e.attempt === t.attempts
    case 'task.failed':
    case 'task.timed-out':
    case 'task.item-completed':
    case 'task.progress':
    case 'task.log':
    case 'task.waiting':
      return t.status === 'running' && (!('attempt' in e) || e.attempt === t.attempts)
    case 'task.skipped':
      return e.reason === 'condition' ? t.status === 'pending' && t.dispatched : canSkip(s, t)
    case 'task.retrying':
      return canRetry(s, t)
    case 'timer.fired':
      return (
        (t.status === 'retrying' || t.status === 'waiting') && t.deadline !== undefined && e.at >= t.deadline
      )
    default:
      return true
  }
}

function canSkip(s: RunState, t: TaskState): boolean {
  if (s.status === 'completed' || s.status === 'cancelled' || s.status === 'queued') return false
  if (t.status === 'completed' || t.status === 'skipped' || t.continued) return false
  return t.status !== 'cancelled' || s.status === 'failed'
}

export function canRetry(s: RunState, t: TaskState): boolean {
  return (
    (s.status === 'running' || s.status === 'paused' || s.status === 'failed') &&
    t.status === 'failed' &&
    !t.continued
  )
}
