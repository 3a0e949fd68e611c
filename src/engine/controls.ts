import type { RunEvent } from '../core/run-reducer'
import { ArgumentError } from '../errors'
import type { RunExecutor } from '../runtime/run-executor'
import type { ForkOptions, RunInfo, RunState } from '../types'
import { DECISION_RULE, decisionOf, nameOf, votedEvent } from './decision-arguments'
import { checkForkOptions, checkId, describe } from './engine-arguments'
import type { Engine } from './engine-types'

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
      payload: copyOf('signal', 'payload', payload),
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
      decisionOf('approve', runIdOf(runId), taskId, decision),
    verb: (p) => `approve "${nameOf(p)}" of`,
    rule: DECISION_RULE,
    decides: true,
    event: (p, run) => votedEvent(p, run),
  }),
  reject: eventCall({
    args: (runId: unknown, taskId: unknown, decision: unknown) =>
      decisionOf('reject', runIdOf(runId), taskId, decision),
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
    host: ({ runId, checkpointId }, host, by) => host.rollBack(runId, checkpointId, by),
  }),
  fork: hostCall({
    args: (runId: unknown, checkpointId?: unknown, options: unknown = {}) => {
      checkForkOptions(options)
      return {
        runId: runIdOf(runId),
        checkpointId: checkpointId === undefined ? undefined : checkpointIdOf(checkpointId),
        // Copied now: the caller may change its object once the call returned.
        options: copyOf('fork', 'input', options),
      }
    },
    // A new run, from the source's journal: the host reads it and starts the run. The call is
    // about the source run (`runId`), which `authorize` is asked about; the result is the new run.
    host: ({ runId, checkpointId, options }, host, by) => host.fork(runId, checkpointId, options, by),
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
  /** `by`: the calling principal, journaled on `workflow.rolled-back`. */
  rollBack(runId: string, checkpointId: string | undefined, by: string | undefined): Promise<RunExecutor>
  /** Starts the fork of `runId` at the checkpoint; resolves to the new run. */
  fork(
    runId: string,
    checkpointId: string | undefined,
    options: ForkOptions,
    by: string | undefined,
  ): Promise<RunExecutor>
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
  /** `by`: the calling principal, for the events the host journals. */
  host(p: P, host: ControlHost, by: string | undefined): Promise<RunExecutor>
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

/** The call's data, copied now: the caller may change its object once the call returned. */
function copyOf<T>(call: string, what: string, payload: T): T {
  try {
    return structuredClone(payload)
  } catch (cause) {
    throw new ArgumentError(
      `${call}: the ${what} must be structured-clone-safe data (no functions, DOM nodes or class instances with private state).`,
      { value: payload, cause },
    )
  }
}
