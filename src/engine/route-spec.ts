import {
  checkEventExpression,
  compileEventInput,
  type EventExpression,
  type EventScope,
} from '../definition/event-expression'
import { ArgumentError } from '../errors'
import { isPlainJson } from '../runtime/cache-key'
import type { RouteSpec } from '../types'

/** The default `dedupeWindowMs`: 24 hours. */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000

const FIELDS = new Set(['id', 'event', 'workflow', 'version', 'when', 'input', 'dedupeKey', 'dedupeWindowMs'])
const NAME = /^[A-Za-z0-9_.:-]{1,200}$/

/** A checked route, its expressions compiled. */
export interface CompiledRoute {
  readonly id: string
  readonly spec: RouteSpec
  readonly createdAt: number
  readonly windowMs: number
  matches(type: string): boolean
  when?: EventExpression
  dedupeKey?: EventExpression
  input(event: EventScope): Record<string, unknown>
}

/**
 * Checks a `RouteSpec` and compiles its expressions.
 *
 * @throws ArgumentError (`INVALID_ARGUMENT`) listing every problem of the spec, one a line.
 */
export function compileRoute(spec: unknown, id: string, createdAt: number): CompiledRoute {
  const problems: string[] = []
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new ArgumentError(
      `route: the spec must be an object like { event, workflow }; got ${String(spec)}.`,
      {
        value: spec,
      },
    )
  }
  const s = spec as Record<string, unknown>
  for (const key of Object.keys(s))
    if (!FIELDS.has(key)) problems.push(`"${key}" is not a RouteSpec field; remove it`)
  const event = s.event
  if (typeof event !== 'string' || !NAME.test(event.endsWith('.*') ? event.slice(0, -2) : event)) {
    problems.push(
      `event must be an event type (letters, digits, _ . : -) or "prefix.*"; got ${JSON.stringify(event)}`,
    )
  }
  if (typeof s.workflow !== 'string' || s.workflow === '') {
    problems.push(`workflow must be a registered workflow id; got ${JSON.stringify(s.workflow)}`)
  }
  if (s.version !== undefined && typeof s.version !== 'string') {
    problems.push(`version must be a version string; got ${JSON.stringify(s.version)}`)
  }
  if (s.id !== undefined && (typeof s.id !== 'string' || !NAME.test(s.id))) {
    problems.push(`id must be letters, digits, _ . : - (up to 200); got ${JSON.stringify(s.id)}`)
  }
  const windowMs = s.dedupeWindowMs ?? DEDUPE_WINDOW_MS
  if (typeof windowMs !== 'number' || !(windowMs >= 0 && windowMs < Infinity)) {
    problems.push(`dedupeWindowMs must be a number of milliseconds >= 0; got ${String(windowMs)}`)
  }
  const when = expression('when', s.when, problems)
  const dedupeKey = expression('dedupeKey', s.dedupeKey, problems)
  let input: (event: EventScope) => Record<string, unknown> = () => ({})
  if (s.input !== undefined) {
    if (typeof s.input !== 'object' || s.input === null || Array.isArray(s.input)) {
      problems.push('input must be an object of values and ${ } templates over event')
    } else if (!isPlainJson(s.input)) {
      // Stored and copied as JSON-like data: a function, a Map or NaN would fail or change there.
      problems.push('input must be plain JSON (no functions, Maps, Dates, NaN or undefined fields)')
    } else input = compileEventInput(s.input as Record<string, unknown>, problems)
  }
  if (problems.length > 0) {
    throw new ArgumentError(`route: ${problems.length} problem(s) in the spec:\n- ${problems.join('\n- ')}`, {
      value: spec,
    })
  }
  const type = event as string
  const prefix = type.endsWith('.*') ? type.slice(0, -1) : undefined
  return {
    id,
    spec: structuredClone({ ...(s as unknown as RouteSpec), id }),
    createdAt,
    windowMs: windowMs as number,
    matches: (t) => (prefix === undefined ? t === type : t.startsWith(prefix)),
    ...(when && { when }),
    ...(dedupeKey && { dedupeKey }),
    input,
  }
}

function expression(field: string, source: unknown, problems: string[]): EventExpression | undefined {
  if (source === undefined) return undefined
  if (typeof source !== 'string') {
    problems.push(`${field} must be a CEL expression over event; got ${JSON.stringify(source)}`)
    return undefined
  }
  const compiled = checkEventExpression(source)
  if (typeof compiled === 'string') {
    problems.push(`${field} ${JSON.stringify(source)}: ${compiled}`)
    return undefined
  }
  return compiled
}
