import { toCel } from './cel-values'
import { compileScopeCel, compileScopeTemplate, type ScopeCel } from './scope-template'

/** An emitted event as a route's expressions read it. */
export interface EventScope {
  type: string
  data: unknown
  id?: string
}

/** A CEL expression over `event`, compiled once. */
export interface EventExpression {
  readonly source: string
  evaluate(event: EventScope): unknown
}

/** A CEL expression of the event environment, compiled once; `evaluate` takes its variables as CEL values. */
export type EventCel = ScopeCel

/** The event as its expressions see it: `id` and `data` are always there (null when absent). */
function eventValue(event: EventScope): Record<string, unknown> {
  return { id: null, ...event, data: event.data ?? null }
}

/**
 * Compiles `source` in the event environment (a route's expressions, a `wait-for-event` `match`),
 * or returns the problem in words; `empty` is the problem of an empty source.
 */
export function compileEventCel(source: string, empty: string): EventCel | string {
  if (source.trim() === '') return empty
  return compileScopeCel('event', source)
}

/**
 * Compiles `source`, a CEL expression over `event` (a route's `when` or `dedupeKey`), or returns
 * the problem in words.
 */
export function checkEventExpression(source: string): EventExpression | string {
  const compiled = compileEventCel(source, 'it is empty; write a CEL expression over event')
  if (typeof compiled === 'string') return compiled
  return { source, evaluate: (event) => compiled.evaluate({ event: toCel(eventValue(event)) }) }
}

/**
 * Compiles a route's `input`: every string with `${ }` pieces becomes a template over `event`
 * (see `compileScopeTemplate`). `problems` gets one line per bad template, with its path.
 */
export function compileEventInput(
  input: Record<string, unknown>,
  problems: string[],
): (event: EventScope) => Record<string, unknown> {
  const template = compileScopeTemplate('event', input, problems)
  return (event) => template(eventValue(event))
}
