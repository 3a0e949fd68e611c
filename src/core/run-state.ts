import type { CompiledWorkflow, RunState, RunStatus, TaskState } from '../types'
import { takesEvent } from './event-waits'
import type { RunEvent, RunEventType } from './reducer/run-step'
import { hasVoted, openApproval } from './waits/approval-rules'
import { awaitsChild } from './waits/child-wait'
import { deadlineOf } from './waits/wait-kind'

/** The state of a run before anything happened. */
export function initialRunState(wf: CompiledWorkflow, runId: string, createdAt: number): RunState {
  // Without a prototype the table starts as a hash table that takes a key per task straight
  // away; an object literal first grows a hidden class key by key, and parsing a prebuilt JSON
  // template of the keys costs twice as much (1,000 tasks: Chromium 121 -> 56 µs, Node 176 -> 88 µs).
  // A task id can then never meet an inherited key either.
  const tasks: Record<string, TaskState> = Object.create(null)
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

/** What a running or a paused run takes besides `workflow.paused` / `workflow.resumed`. */
const OPEN_RUN_EVENTS: readonly RunEventType[] = [
  'workflow.cancelled',
  'workflow.completed',
  'workflow.failed',
  'workflow.recovered',
  'workflow.rolled-back',
  'workflow.timed-out',
]

/** The run-level events each status accepts (`workflow.*`, and what a failed run still takes). */
const RUN_EVENTS: Record<RunStatus, ReadonlySet<RunEventType>> = {
  queued: new Set([
    'workflow.forked',
    'workflow.started',
    'workflow.queued',
    'workflow.cancelled',
    'workflow.recovered',
    'workflow.timed-out',
    'signal.received',
  ]),
  running: new Set(['workflow.paused', ...OPEN_RUN_EVENTS]),
  paused: new Set(['workflow.resumed', ...OPEN_RUN_EVENTS]),
  failed: new Set([
    'workflow.cancelled',
    'workflow.recovered',
    'workflow.rolled-back',
    'checkpoint.saved',
    'task.retrying',
    'task.skipped',
    'signal.received',
    'child.started',
  ]),
  completed: new Set(),
  cancelled: new Set(),
}

/**
 * The events about the run rather than one of its tasks: the run's status alone decides
 * (RUN_EVENTS). Every other event names a task and must fit it; a type in neither list is refused.
 */
const RUN_LEVEL_EVENTS: ReadonlySet<RunEventType> = new Set<RunEventType>([
  'workflow.forked',
  'workflow.queued',
  'workflow.started',
  'workflow.paused',
  'workflow.resumed',
  'workflow.recovered',
  'workflow.rolled-back',
  'workflow.cancelled',
  'workflow.completed',
  'workflow.failed',
  'workflow.timed-out',
  'signal.received',
  // Only ever derived from another event; taken (and ignored) so a replay may meet it.
  'signal.dropped',
  'checkpoint.saved',
])

/**
 * Whether `event` applies to the run as it is: the one rule the run machine, the engine's control
 * calls and replicas all follow. Events that do not apply (a completion of an attempt that was
 * aborted, a skip of a completed task, a resume of a running run) are ignored and leave no trace.
 *
 * @example
 * if (!can(run.state, { type: 'workflow.paused', reason: 'by hand', at: now })) throw …
 */
export function can(s: RunState, e: RunEvent): boolean {
  // A running or paused run takes every event that is not about the run's own lifecycle.
  const open = (s.status === 'running' || s.status === 'paused') && !e.type.startsWith('workflow.')
  if (!open && !RUN_EVENTS[s.status].has(e.type)) return false
  switch (e.type) {
    case 'workflow.timed-out':
      // Only the run's own timer sends it, but a replay or a late timer must not fail a run early.
      return s.deadline !== undefined && e.at >= s.deadline
    case 'workflow.completed':
      return s.remaining === 0
    case 'workflow.forked':
      // What the fork carries over is the run's beginning: nothing may come before it.
      return s.seq === 0
    default:
      return fitsTask(s, e)
  }
}

/**
 * Whether an event about a task fits the task's state; run-level events do. Each task event has
 * its row: a type without one (an unknown type, an event the reducer has no handler for) is
 * refused, as is an event whose `taskId` names no task of the run.
 */
function fitsTask(s: RunState, e: RunEvent): boolean {
  // The task events come first: they are nearly every event a run takes, and their row is found
  // by the one switch, with no set to look the type up in.
  switch (e.type) {
    case 'task.started': {
      const t = taskOf(s, e)
      // A running task starts again only after a restore: its attempt was lost with the executor.
      return (
        t !== undefined &&
        (t.status === 'running' || (t.status === 'pending' && t.dispatched)) &&
        e.attempt === t.attempts + 1
      )
    }
    case 'task.completed':
    case 'task.cached': {
      const t = taskOf(s, e)
      if (e.type === 'task.completed' && e.emitted !== undefined)
        return e.attempt === t?.attempts && takesEvent(s, e.taskId, e.emitted)
      return t !== undefined && (t.status === 'running' || t.status === 'waiting') && e.attempt === t.attempts
    }
    case 'task.failed':
    case 'task.timed-out':
    case 'task.item-completed':
    case 'task.progress':
    case 'task.log':
    case 'task.waiting': {
      const t = taskOf(s, e)
      return t !== undefined && t.status === 'running' && (!('attempt' in e) || e.attempt === t.attempts)
    }
    case 'task.skipped': {
      const t = taskOf(s, e)
      if (t === undefined) return false
      if (e.reason === 'condition') return t.status === 'pending' && t.dispatched
      // Only ever derived from a dependency's end (settle); a replay finds it recorded already.
      return e.reason !== 'trigger' && canSkip(s, t)
    }
    case 'task.retrying': {
      const t = taskOf(s, e)
      return t !== undefined && canRetry(s, t)
    }
    case 'timer.fired': {
      const t = taskOf(s, e)
      if (t === undefined) return false
      const until = deadlineOf(t)
      return (t.status === 'retrying' || t.status === 'waiting') && until !== undefined && e.at >= until
    }
    case 'machine.transitioned': {
      const t = taskOf(s, e)
      if (t === undefined || t.status !== 'waiting' || t.wait?.kind !== 'machine') return false
      return e.signal === undefined || s.signals[e.event] !== undefined
    }
    case 'approval.voted': {
      // Only an open approval at the level the vote was cast for, once per person and level (S5).
      const approval = openApproval(taskOf(s, e), e.index)
      return (
        approval !== undefined &&
        e.level === approval.level &&
        typeof e.by === 'string' &&
        (e.decision === 'approved' || e.decision === 'rejected') &&
        !hasVoted(approval, e.by)
      )
    }
    case 'child.started':
      // A fact, recorded even when the attempt that started the child was cut off meanwhile
      // (the run failed, the task was skipped): the child exists, and cascades must reach it.
      return taskOf(s, e) !== undefined
    case 'child.completed':
    case 'child.failed': {
      const t = taskOf(s, e)
      return t !== undefined && awaitsChild(t, e)
    }
    case 'approval.required':
    case 'approval.escalated':
    case 'approval.granted':
    case 'approval.rejected':
    case 'approval.expired':
      // Derived only (from entering the wait, a vote, a level's timer): no run takes one from outside.
      return false
    default:
      return RUN_LEVEL_EVENTS.has(e.type)
  }
}

/** The task a task event names: undefined unless its `taskId` is a string naming one of the run's tasks. */
function taskOf(s: RunState, e: RunEvent): TaskState | undefined {
  const taskId: unknown = (e as { taskId?: unknown }).taskId
  return typeof taskId === 'string' && Object.hasOwn(s.tasks, taskId) ? s.tasks[taskId] : undefined
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
