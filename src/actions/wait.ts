import type { ActionWait } from '../types'

const WAIT = Symbol('spindle.wait')

/** A durable wait: the task waits in the run state, not in memory, so it survives restarts. */
export interface WaitRequest {
  readonly [WAIT]: true
  /** What the task waits for (see `src/engine/waits/` for each kind's rules). */
  readonly wait: ActionWait
}

/** Built-in actions return this to park their task (or their `forEach` item) until a time or a signal. */
export function waitFor(wait: ActionWait): WaitRequest {
  return { [WAIT]: true, wait }
}

export function isWaitRequest(value: unknown): value is WaitRequest {
  return typeof value === 'object' && value !== null && WAIT in value
}
