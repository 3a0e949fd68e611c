import type { Environment } from '@marcbachmann/cel-js'
import { ExpressionError } from '../errors'
import { celEnvironment } from './cel-environment'
import { fromCel, toCel } from './cel-values'
import { EVALUATION_LIMITS, meterExpression, withBudget } from './expression-budget'
import { explainProblem, locate } from './expression-problem'
import { scanTemplate } from './template-scanner'

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

let shared: Environment | undefined

/**
 * The event environment: the definitions' one (which names `run`) plus the variable `event`. A
 * separate clone, so that a workflow's own expressions never see an `event` they could not be given.
 */
function eventEnvironment(): Environment {
  shared ??= celEnvironment().clone().registerVariable('event', 'map')
  return shared
}

/** A CEL expression of the event environment, compiled once; `evaluate` takes its variables as CEL values. */
export interface EventCel {
  readonly source: string
  evaluate(variables: Record<string, unknown>): unknown
}

/**
 * Compiles `source` in the event environment (a route's expressions, a `wait-for-event` `match`),
 * or returns the problem in words; `empty` is the problem of an empty source.
 */
export function compileEventCel(source: string, empty: string): EventCel | string {
  if (source.trim() === '') return empty
  try {
    const parsed = eventEnvironment().parse(source)
    const typed = parsed.check()
    if (!typed.valid) return locate(typed.error).summary
    const unsafe = meterExpression(parsed.ast)
    if (unsafe) return explainProblem(unsafe, source)
    return {
      source,
      evaluate(variables) {
        try {
          return fromCel(
            withBudget(EVALUATION_LIMITS.maxSteps, () => parsed(variables)),
            source,
          )
        } catch (error) {
          throw new ExpressionError(
            source,
            `Expression ${JSON.stringify(source)} failed: ${locate(error).summary}`,
            { cause: error },
          )
        }
      },
    }
  } catch (error) {
    return locate(error).summary
  }
}

/**
 * Compiles `source`, a CEL expression over `event` (a route's `when` or `dedupeKey`), or returns
 * the problem in words.
 */
export function checkEventExpression(source: string): EventExpression | string {
  const compiled = compileEventCel(source, 'it is empty; write a CEL expression over event')
  if (typeof compiled === 'string') return compiled
  return {
    source,
    evaluate: (event) =>
      compiled.evaluate({ event: toCel({ id: null, ...event, data: event.data ?? null }) }),
  }
}

/**
 * Compiles a route's `input`: every string with `${ }` pieces becomes a template over `event`
 * (an exact `"${ expr }"` gives the value of any type; pieces inside text interpolate, non-strings
 * as JSON). `problems` gets one line per bad template, with its path.
 */
export function compileEventInput(
  input: Record<string, unknown>,
  problems: string[],
): (event: EventScope) => Record<string, unknown> {
  const plan = planValue(input, 'input', problems)
  return (event) => plan(event) as Record<string, unknown>
}

type Resolve = (event: EventScope) => unknown

function planValue(value: unknown, path: string, problems: string[]): Resolve {
  if (typeof value === 'string') return planString(value, path, problems)
  if (Array.isArray(value)) {
    const items = value.map((item, i) => planValue(item, `${path}[${i}]`, problems))
    return (event) => items.map((item) => item(event))
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, planValue(item, `${path}.${key}`, problems)] as const,
    )
    return (event) => Object.fromEntries(entries.map(([key, item]) => [key, item(event)]))
  }
  return () => value
}

function planString(text: string, path: string, problems: string[]): Resolve {
  const scanned = scanTemplate(text)
  if (!scanned.ok) {
    problems.push(`${path}: ${scanned.detail}`)
    return () => text
  }
  const parts = scanned.pieces.map((piece) => {
    if ('text' in piece) return piece.text
    const compiled = checkEventExpression(piece.source)
    if (typeof compiled === 'string') {
      problems.push(`${path}: ${JSON.stringify(piece.source)}: ${compiled}`)
      return piece.source
    }
    return compiled
  })
  if (parts.every((part) => typeof part === 'string')) return () => parts.join('')
  if (scanned.exact && typeof parts[0] !== 'string') {
    const only = parts[0] as EventExpression
    return (event) => only.evaluate(event)
  }
  return (event) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return part
        const value = part.evaluate(event)
        return typeof value === 'string' ? value : JSON.stringify(value)
      })
      .join('')
}
