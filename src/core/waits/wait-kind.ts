import type { RunState, TaskState, TaskWait } from '../../types'
import type { RunEventOf, RunEventType, RunStep } from '../reducer/run-step'

/**
 * The rules of one kind of durable wait. The run reducer calls them; each changes the run state
 * in place and adds to the step. The task's timer, when the wait has an `until`, is armed by the
 * reducer on entry and re-armed on recovery.
 */
export interface WaitKind<W extends TaskWait> {
  /** The events about the task that resolve the wait (besides its deadline); a run takes no other. */
  resolvedBy: ReadonlySet<RunEventType>
  /**
   * After `task.waiting` is recorded, before the wait's timer is armed: what entering the wait
   * records. A buffered signal may end it at once; the timer is armed for `t.wait.until` only
   * if `t.wait` is still this wait afterwards.
   */
  enter(s: RunState, step: RunStep, id: string, t: TaskState, wait: W): void
  /** Whether the signal `name` resolves the wait. */
  awaits(wait: W, name: string): boolean
  /** The signal it awaits came: `signal.received` is recorded already. */
  receive(
    s: RunState,
    step: RunStep,
    id: string,
    t: TaskState,
    wait: W,
    e: RunEventOf<'signal.received'>,
  ): void
  /**
   * Its deadline came: `timer.fired` (`e`, with the engine's draw for a retry's jitter) is
   * recorded and the task's wait cleared already (a wait that goes on sets it again).
   */
  expire(s: RunState, step: RunStep, id: string, t: TaskState, wait: W, e: RunEventOf<'timer.fired'>): void
}

/** The deadline of a task's wait, if it has one. */
export function deadlineOf(t: TaskState): number | undefined {
  return t.wait?.until
}
