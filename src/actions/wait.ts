const WAIT = Symbol('spindle.wait')

/** A durable wait: the task waits in the run state, not in memory, so it survives restarts. */
export interface WaitRequest {
  readonly [WAIT]: true
  /** Absolute deadline (ms since epoch): the task completes at it, or times out when `signal` is set. */
  readonly until?: number
  /** The signal name the task waits for; its payload becomes the task's output. */
  readonly signal?: string
}

/** Built-in actions return this to park their task until a time or a signal. */
export function waitFor(request: { until?: number; signal?: string }): WaitRequest {
  return { [WAIT]: true, ...request }
}

export function isWaitRequest(value: unknown): value is WaitRequest {
  return typeof value === 'object' && value !== null && WAIT in value
}
