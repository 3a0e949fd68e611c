import { TaskError } from '../errors'
import type { BuiltinContext } from './builtin-context'

/**
 * Waits (a `signal` wait) for the signal `params.event`, sent with
 * `engine.signal(runId, name, payload)`; the payload is the task's output. A signal that arrived
 * before the task started waiting is kept and delivered at once. With `params.timeoutMs`, the
 * task times out (`TIMEOUT`) if no signal comes in time; retry and `onError` apply as for any
 * failure. Under `forEach`, each item waits for its own signal.
 */
export function waitForEvent(params: { event?: unknown; timeoutMs?: unknown }, ctx: BuiltinContext) {
  const { event, timeoutMs } = params ?? {}
  if (typeof event !== 'string' || event === '') {
    throw new TaskError(
      'INPUT_INVALID',
      'wait-for-event needs params.event: the name of the signal to wait for.',
      {
        value: params,
      },
    )
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs > 0))) {
    throw new TaskError(
      'INPUT_INVALID',
      `wait-for-event: params.timeoutMs must be a number > 0, got ${JSON.stringify(timeoutMs)}.`,
      {
        value: timeoutMs,
      },
    )
  }
  return ctx.waitFor(
    timeoutMs === undefined
      ? { kind: 'signal', name: event }
      : { kind: 'signal', name: event, until: ctx.now() + timeoutMs },
  )
}
