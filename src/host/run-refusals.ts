import { InvalidStateError } from '../errors'

/** A control call on a run another engine (another tab or worker) executes. */
export function heldElsewhere(runId: string, db: string): InvalidStateError {
  return new InvalidStateError(
    `Run "${runId}" is executed by another engine (another tab or worker) on database "${db}"; control it there, or close that engine first.`,
    { value: runId },
  )
}

/** A control call on a run a rollback has fenced. */
export function rollingBack(runId: string): InvalidStateError {
  return new InvalidStateError(
    `Run "${runId}" is being rolled back; wait for rollback() to settle, then try again.`,
    { value: runId },
  )
}
