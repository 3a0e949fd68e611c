import { ArgumentError } from '../errors'
import type { ActionLimit } from '../types'
import { describe } from './engine-arguments'

const LIMIT_FIELDS = new Set(['concurrency', 'perSecond'])

/**
 * `EngineOptions.limits`, checked against the engine's actions: each key names one of them, or
 * is `agent_task:<agent>` when the engine has an `agent_task` action; each limit has
 * `concurrency` and/or `perSecond`, whole numbers ≥ 1, and nothing else. The engine's actions
 * are fixed at `createEngine`, so a key naming none of them can only be a typo: refused, with
 * every problem listed at once. Undefined when nothing is limited.
 *
 * @throws ArgumentError listing every bad key and value.
 * @example
 * checkLimits({ http: { concurrency: 4, perSecond: 10 }, 'agent_task:writer': { concurrency: 1 } }, names)
 */
export function checkLimits(
  limits: unknown,
  actions: ReadonlySet<string>,
): Record<string, ActionLimit> | undefined {
  if (limits === undefined) return undefined
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
    throw new ArgumentError(
      `createEngine: "limits" must be an object of limits by action, such as { http: { concurrency: 4, perSecond: 10 } }; got ${describe(limits)}.`,
      { value: limits },
    )
  }
  const problems: string[] = []
  const checked: Record<string, ActionLimit> = {}
  for (const [key, limit] of Object.entries(limits)) {
    const problem = keyProblem(key, actions) ?? limitProblem(limit)
    if (problem !== undefined) problems.push(`limits["${key}"] ${problem}`)
    else {
      const { concurrency, perSecond } = limit as ActionLimit
      checked[key] = {
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(perSecond === undefined ? {} : { perSecond }),
      }
    }
  }
  if (problems.length > 0) {
    throw new ArgumentError(`createEngine: ${problems.join('; ')}.`, { value: limits })
  }
  return Object.keys(checked).length === 0 ? undefined : checked
}

function keyProblem(key: string, actions: ReadonlySet<string>): string | undefined {
  if (actions.has(key)) return undefined
  if (key.startsWith('agent_task:')) {
    if (!actions.has('agent_task'))
      return 'limits an agent of "agent_task", but the engine has no "agent_task" action: register it in "actions"'
    if (key.length === 'agent_task:'.length) return 'names no agent: write "agent_task:<agent id>"'
    return undefined
  }
  return `names no action of the engine: use one of ${[...actions].map((a) => `"${a}"`).join(', ')}, or "agent_task:<agent id>"`
}

function limitProblem(limit: unknown): string | undefined {
  if (typeof limit !== 'object' || limit === null || Array.isArray(limit))
    return `must be an object { concurrency?, perSecond? }, got ${describe(limit)}`
  const unknown = Object.keys(limit).filter((field) => !LIMIT_FIELDS.has(field))
  if (unknown.length > 0)
    return `has unknown field(s) ${unknown.map((f) => `"${f}"`).join(', ')}: only "concurrency" and "perSecond"`
  const { concurrency, perSecond } = limit as Record<string, unknown>
  if (concurrency === undefined && perSecond === undefined)
    return 'limits nothing: give "concurrency", "perSecond" or both'
  for (const [field, value] of [
    ['concurrency', concurrency],
    ['perSecond', perSecond],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1))
      return `"${field}" must be a whole number ≥ 1, got ${describe(value)}`
  }
  return undefined
}
