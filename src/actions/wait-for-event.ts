import { TaskError } from '../errors'
import type { SignalWait } from '../types'
import type { BuiltinContext } from './builtin-context'

/**
 * Waits (a `signal` wait) for the signal `params.event`, sent with
 * `engine.signal(runId, name, payload)`; the payload is the task's output. With `params.match`
 * (CEL over `event` and `run`, checked at register), an event `emit`ted with that type for which
 * it is true ends the wait too, the event (`{ type, data, id, at }`) being the output; the engine
 * delivers it (src/engine/event-waits.ts), including one emitted up to 24 h before the wait began. A signal that arrived
 * before the task started waiting is kept and delivered at once. With `params.timeoutMs`, the
 * task times out (`TIMEOUT`) if no signal comes in time; retry and `onError` apply as for any
 * failure. Under `forEach`, each item waits for its own signal.
 */
export function waitForEvent(
  params: { event?: unknown; timeoutMs?: unknown; match?: unknown },
  ctx: BuiltinContext,
) {
  const { event, timeoutMs, match } = params ?? {}
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
  if (match !== undefined && (typeof match !== 'string' || match.trim() === '')) {
    throw new TaskError(
      'INPUT_INVALID',
      `wait-for-event: params.match must be a CEL expression over event and run; got ${JSON.stringify(match)}.`,
      { value: match },
    )
  }
  const wait: SignalWait = { kind: 'signal', name: event }
  if (timeoutMs !== undefined) wait.until = ctx.now() + timeoutMs
  if (match !== undefined) wait.match = match
  return ctx.waitFor(wait)
}
