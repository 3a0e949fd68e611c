import { TaskError } from '../errors'
import type { BuiltinContext } from './builtin-context'

/**
 * A durable sleep (a `timer` wait): `params.ms` (from the start of the task) or `params.until`
 * (ms since epoch or an ISO date string). The deadline is kept in the run state, so the sleep
 * survives reloads; a deadline that passed while the app was closed fires as soon as the engine
 * runs again. Under `forEach`, each item sleeps on its own.
 */
export function delay(params: { ms?: unknown; until?: unknown }, ctx: BuiltinContext) {
  const { ms, until } = params ?? {}
  if (ms !== undefined && until !== undefined) {
    throw new TaskError('INPUT_INVALID', 'delay takes params.ms or params.until, not both.', {
      value: params,
    })
  }
  if (ms !== undefined) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new TaskError(
        'INPUT_INVALID',
        `delay: params.ms must be a number ≥ 0, got ${JSON.stringify(ms)}.`,
        {
          value: ms,
        },
      )
    }
    return ctx.waitFor({ kind: 'timer', until: ctx.now() + ms })
  }
  const time = typeof until === 'string' ? Date.parse(until) : until
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new TaskError(
      'INPUT_INVALID',
      `delay needs params.ms (a duration) or params.until (ms since epoch or an ISO date), got ${JSON.stringify(params)}.`,
      { value: params },
    )
  }
  return ctx.waitFor({ kind: 'timer', until: time })
}
