import type { RunEvent } from '../core/run-reducer'
import type { AttemptParams, CompiledTask } from '../types'
import type { TaskHost } from './invoke-action'

/** Resolved params larger than this (as JSON) are not recorded; the attempt gets them all the same. */
export const RECORDED_PARAMS_MAX_CHARS = 16_384

/** The records that end an attempt, or say it waits: they carry the params it got. */
const ENDINGS = new Set<RunEvent['type']>([
  'task.completed',
  'task.cached',
  'task.failed',
  'task.timed-out',
  'task.waiting',
])

/**
 * The params an attempt got as its records carry them (`AttemptParams`), for a task whose params
 * hold expressions; `undefined` for params as written, which are in the definition. Secret
 * references read `[secret:name]`, and the secret values the engine knows are blanked.
 */
export function recordedParams(
  host: Pick<TaskHost, 'capabilities'>,
  task: CompiledTask,
  params: Record<string, unknown>,
): AttemptParams | undefined {
  if (!task.params || task.params.static) return undefined
  const secrets = host.capabilities.secrets
  let text: string
  try {
    text = JSON.stringify(params, (_key, value: unknown) =>
      typeof value === 'string' ? secrets.redact(value) : value,
    )
  } catch {
    // A value JSON cannot hold (a BigInt): the attempt gets it, the record says why it has none.
    return { paramsOmitted: 'not-json' }
  }
  if (text.length > RECORDED_PARAMS_MAX_CHARS) return { paramsOmitted: 'too-large' }
  return { params: JSON.parse(text) as Record<string, unknown> }
}

/** The attempt's result, its ending record carrying `recorded`. */
export function carrying<T extends RunEvent | undefined>(
  result: T | Promise<T>,
  recorded: AttemptParams,
): T | Promise<T> {
  const add = (event: T): T =>
    event !== undefined && ENDINGS.has(event.type) ? ({ ...event, ...recorded } as T) : event
  return result instanceof Promise ? result.then(add) : add(result)
}
