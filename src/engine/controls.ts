import type { RunEvent } from '../core/run-reducer'
import { ArgumentError } from '../errors'
import type { RunExecutor } from '../runtime/run-executor'
import type { RunInfo, RunState } from '../types'
import { checkId, describe } from './engine-arguments'
import type { Engine } from './engine-types'

/** Which approvals take `approve` and `reject`: the end of their `INVALID_STATE` message. */
const DECISION_RULE =
  'only an open approval takes a decision, from one of its approvers, once per person and level'

/**
 * The control calls, one row each: the `Engine` methods, the worker's forwarded methods and
 * the argument checks all come from this table. Adding a call is adding its row (and its
 * signature to `Engine`, which the compiler then asks for).
 *
 * Only types may come from runtime/ and host/ here: the page imports the table (the worker
 * protocol forwards its calls), and the page entry stays small.
 */
export const CONTROLS = {
  pause: eventCall({
    args: (runId: unknown) => ({ runId: runIdOf(runId) }),
    verb: () => 'pause',
    rule: 'only a running run can be paused',
    event: () => ({ type: 'workflow.paused', reason: 'paused by request' }),
  }),
  resume: eventCall({
    args: (runId: unknown) => ({ runId: runIdOf(runId) }),
    verb: () => 'resume',
    rule: 'only a paused run can be resumed',
    event: () => ({ type: 'workflow.resumed' }),
  }),
  cancel: eventCall({
    args: (runId: unknown, reason?: unknown) => ({
      runId: runIdOf(runId),
      reason: optionalText('cancel', 'reason', reason),
    }),
    verb: () => 'cancel',
    rule: 'a completed or cancelled run cannot be cancelled',
    event: ({ reason }) => ({ type: 'workflow.cancelled', ...(reason !== undefined && { reason }) }),
  }),
  retryTask: eventCall({
    args: (runId: unknown, taskId: unknown) => ({ runId: runIdOf(runId), taskId: taskIdOf(taskId) }),
    verb: ({ taskId }) => `retry task "${taskId}" of`,
    rule: 'only a failed task of a running, paused or failed run can be retried',
    event: ({ taskId }, run) => ({
      type: 'task.retrying',
      taskId,
      attempt: run.tasks[taskId]!.attempts + 1,
      delayMs: 0,
      manual: true,
    }),
  }),
  skipTask: eventCall({
    args: (runId: unknown, taskId: unknown) => ({ runId: runIdOf(runId), taskId: taskIdOf(taskId) }),
    verb: ({ taskId }) => `skip task "${taskId}" of`,
    rule: 'completed or skipped tasks, and tasks of completed, cancelled or queued runs, cannot be skipped',
    event: ({ taskId }) => ({ type: 'task.skipped', taskId, reason: 'manual' }),
  }),
  signal: eventCall({
    args: (runId: unknown, name: unknown, payload?: unknown) => ({
      runId: runIdOf(runId),
      name: signalNameOf(name),
      payload: copyOf('signal', payload),
    }),
    verb: ({ name }) => `signal "${name}" to`,
    rule: 'signals go only to queued, running, paused or failed runs',
    event: ({ name, payload }) => ({ type: 'signal.received', name, payload }),
  }),
  checkpoint: eventCall({
    args: (runId: unknown, reason?: unknown) => ({
      runId: runIdOf(runId),
      reason: optionalText('checkpoint', 'reason', reason) ?? 'on request',
    }),
    verb: () => 'take a checkpoint of',
    rule: 'only running, paused or failed runs take checkpoints',
    event: ({ reason }) => ({ type: 'checkpoint.saved', checkpointId: '', reason }),
    result: ({ runId, reason }, run) => {
      const s = run.state
      return {
        checkpointId: `${runId}:${s.seq}`,
        runId,
        seq: s.seq,
        at: s.updatedAt,
        reason,
        completedTasks: run.wf.order.filter((id) => s.tasks[id]!.status === 'completed'),
      }
    },
  }),
  approve: eventCall({
    args: (runId: unknown, taskId: unknown, decision: unknown) =>
      decisionOf('approve', runId, taskId, decision, 'approved'),
    verb: (p) => `approve "${nameOf(p)}" of`,
    rule: DECISION_RULE,
    decides: true,
    event: (p, run) => votedEvent(p, run),
  }),
  reject: eventCall({
    args: (runId: unknown, taskId: unknown, decision: unknown) =>
      decisionOf('reject', runId, taskId, decision, 'rejected'),
    verb: (p) => `reject "${nameOf(p)}" of`,
    rule: DECISION_RULE,
    decides: true,
    event: (p, run) => votedEvent(p, run),
  }),
  rollback: hostCall({
    args: (runId: unknown, checkpointId?: unknown) => ({
      runId: runIdOf(runId),
      checkpointId: checkpointId === undefined ? undefined : checkpointIdOf(checkpointId),
    }),
    // Rollback fences the run and replays its journal, more than one event can say: the host
    // does it, and refuses (a queued or cancelled run, an unknown checkpoint) on its own terms.
    host: ({ runId, checkpointId }, host) => host.rollBack(runId, checkpointId),
  }),
} satisfies { readonly [K in keyof Engine]?: ControlCall<Engine[K]> }

export type ControlName = keyof typeof CONTROLS

/** The names of the control calls, for the worker protocol. */
export const CONTROL_CALLS = Object.keys(CONTROLS) as readonly ControlName[]

/** What every control call is about: a run, and for some calls one of its tasks. */
export interface ControlTarget {
  runId: string
  taskId?: string
}

/** What the host does for the calls that are more than one event (`rollback`). */
export interface ControlHost {
  rollBack(runId: string, checkpointId: string | undefined): Promise<RunExecutor>
}

/** A row of the table, typed after the `Engine` method `M` it becomes. */
export type ControlCall<M> = M extends (...args: infer A) => Promise<infer R>
  ? EventCall<A, any, R> | HostCall<A, any, R>
  : never

interface Row<A extends unknown[], P extends ControlTarget, R> {
  /**
   * Checks the arguments before anything is read or written, and returns them as the call uses
   * them; a bad one throws `ArgumentError` (`INVALID_ARGUMENT`) naming it.
   */
  args(...args: A): P
  /** What the call resolves to, from the run it applied to. Default: the run's `RunInfo`. */
  result?(p: P, run: RunExecutor): R
}

/** A call that applies one event to the run, if the run's `can` takes it. */
export interface EventCall<A extends unknown[], P extends ControlTarget, R> extends Row<A, P, R> {
  /** The call in the refusal: `Cannot ${verb} run "r1": it is completed; ${rule}.` */
  verb(p: P): string
  /** Which runs (and tasks) take the call: the end of the `INVALID_STATE` message. */
  rule: string
  /**
   * The call decides an approval (`P` is a `DecisionTarget`): the decider is checked too — who
   * they are, their groups, their vote, their form (`approval-decision.ts`) — before `can`.
   */
  decides?: true
  /** The event for the run as it is now; the engine's clock sets its `at`. */
  event(p: P, run: RunState): ControlEvent
}

/** A run event without its time. */
export type ControlEvent = Unstamped<RunEvent>
type Unstamped<E> = E extends unknown ? Omit<E, 'at'> : never

/** A call the host carries out itself; it checks the run on its own. */
export interface HostCall<A extends unknown[], P extends ControlTarget, R> extends Row<A, P, R> {
  host(p: P, host: ControlHost): Promise<RunExecutor>
}

/** Any row, as the engine carries it out. */
export type AnyControlCall =
  | EventCall<unknown[], ControlTarget, unknown>
  | HostCall<unknown[], ControlTarget, unknown>

/** Whether `call` is carried out by the host rather than by one event. */
export function isHostCall(call: AnyControlCall): call is HostCall<unknown[], ControlTarget, unknown> {
  return 'host' in call
}

// The two row makers only give each row its own argument type `P` (inferred from `args`).
function eventCall<A extends unknown[], P extends ControlTarget, R = RunInfo>(
  call: EventCall<A, P, R>,
): EventCall<A, P, R> {
  return call
}

function hostCall<A extends unknown[], P extends ControlTarget, R = RunInfo>(
  call: HostCall<A, P, R>,
): HostCall<A, P, R> {
  return call
}

/** What `approve` and `reject` are about: one approval (a task's, or a `forEach` item's) and the decision. */
export interface DecisionTarget extends ControlTarget {
  taskId: string
  /** Under `forEach`: the item, addressed as `'<taskId>[<index>]'`. */
  index?: number
  by: string
  decision: 'approved' | 'rejected'
  comment?: string
  form?: unknown
}

/** `'<taskId>'` or `'<taskId>[<index>]'`, and the decision, checked and copied. */
function decisionOf(
  call: 'approve' | 'reject',
  runId: unknown,
  taskId: unknown,
  value: unknown,
  decision: 'approved' | 'rejected',
): DecisionTarget {
  const run = runIdOf(runId)
  const id = taskIdOf(taskId)
  const item = /^(.+)\[(0|[1-9]\d{0,8})\]$/.exec(id)
  const fields = call === 'approve' ? ['by', 'comment', 'form'] : ['by', 'comment']
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(
      `${call}: the decision must be an object { ${fields.join(', ')} }; got ${describe(value)}.`,
      { value },
    )
  }
  const d = value as Record<string, unknown>
  for (const key of Object.keys(d)) {
    if (!fields.includes(key))
      throw new ArgumentError(`${call}: the decision takes ${fields.join(', ')}; "${key}" is none of them.`, {
        value: key,
      })
  }
  if (typeof d.by !== 'string' || d.by === '' || d.by.length > 200) {
    throw new ArgumentError(
      `${call}: decision.by must name who decides (a non-empty string of at most 200 characters); got ${describe(d.by)}.`,
      { value: d.by },
    )
  }
  const comment = optionalText(call, 'decision.comment', d.comment)
  return {
    runId: run,
    taskId: item ? item[1]! : id,
    ...(item && { index: Number(item[2]) }),
    by: d.by,
    decision,
    ...(comment !== undefined && { comment }),
    ...(d.form !== undefined && { form: copyOf(call, d.form) }),
  }
}

function nameOf(p: DecisionTarget): string {
  return p.index === undefined ? p.taskId : `${p.taskId}[${p.index}]`
}

/** The vote, cast at the level the approval is at now (`can` refuses it at any other). */
function votedEvent(p: DecisionTarget, run: RunState): ControlEvent {
  const wait = run.tasks[p.taskId]?.wait
  const approval = p.index === undefined || wait?.kind !== 'items' ? wait : wait.items[p.index]
  return {
    type: 'approval.voted',
    taskId: p.taskId,
    ...(p.index !== undefined && { index: p.index }),
    level: approval?.kind === 'approval' ? approval.level : -1,
    by: p.by,
    decision: p.decision,
    ...(p.comment !== undefined && { comment: p.comment }),
    ...(p.form !== undefined && { form: p.form }),
  }
}

function runIdOf(value: unknown): string {
  checkId('runId', value)
  return value
}

function taskIdOf(value: unknown): string {
  checkId('taskId', value)
  return value
}

function checkpointIdOf(value: unknown): string {
  checkId('checkpointId', value)
  return value
}

function optionalText(call: string, what: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value
  throw new ArgumentError(
    `${call}: ${what} must be a string; got ${describe(value)}. Leave it out for none.`,
    {
      value,
    },
  )
}

function signalNameOf(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value
  throw new ArgumentError(
    `signal: name must be a non-empty string, the event a wait-for-event task waits for; got ${describe(value)}.`,
    { value },
  )
}

/** A payload or a form, copied now: the caller may change its object once the call returned. */
function copyOf(call: 'signal' | 'approve' | 'reject', payload: unknown): unknown {
  try {
    return structuredClone(payload)
  } catch (cause) {
    throw new ArgumentError(
      `${call}: the ${call === 'signal' ? 'payload' : 'form'} must be structured-clone-safe data (no functions, DOM nodes or class instances with private state).`,
      { value: payload, cause },
    )
  }
}
