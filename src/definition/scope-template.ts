import type { Environment } from '@marcbachmann/cel-js'
import { ExpressionError } from '../errors'
import { celEnvironment } from './cel-environment'
import { fromCel, toCel } from './cel-values'
import { EVALUATION_LIMITS, meterExpression, withBudget } from './expression-budget'
import { explainProblem, locate } from './expression-problem'
import { scanTemplate } from './template-scanner'

/** An object whose `${ }` templates read one variable (a schedule's `input` reads `schedule`). */
export type ScopeTemplate = (value: Record<string, unknown>) => Record<string, unknown>

/** A CEL expression of a scope's environment, compiled once; `evaluate` takes its variables as CEL values. */
export interface ScopeCel {
  readonly source: string
  evaluate(variables: Record<string, unknown>): unknown
}

type Resolve = (value: Record<string, unknown>) => unknown

const environments = new Map<string, Environment>()

/**
 * The definitions' CEL environment plus the one variable `name`: a clone per variable, so that
 * a workflow's own expressions never see a variable they could not be given.
 */
function environmentOf(name: string): Environment {
  let environment = environments.get(name)
  if (!environment) {
    environment = celEnvironment().clone().registerVariable(name, 'map')
    environments.set(name, environment)
  }
  return environment
}

/**
 * Compiles `source` in the environment of the variable `name` (it also names `run`, as the
 * definitions' one does), or returns its problem in words. Evaluation runs under the step budget;
 * a failure is an `ExpressionError` naming the source.
 */
export function compileScopeCel(name: string, source: string): ScopeCel | string {
  try {
    const parsed = environmentOf(name).parse(source)
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
 * Compiles `input`, an object whose strings may hold `${ }` templates over the variable `name`
 * (an exact `"${ expr }"` gives the value of any type; pieces inside text interpolate,
 * non-strings as JSON): a schedule's `input` over `schedule`, a route's over `event`. `problems`
 * gets one line per bad template, with its path; the result is only to be used when none was added.
 *
 * @example
 * const problems: string[] = []
 * const input = compileScopeTemplate('schedule', { at: '${ schedule.scheduledAt }' }, problems)
 * input({ scheduledAt: 1767225600000 }) // { at: 1767225600000 }
 */
export function compileScopeTemplate(
  name: string,
  input: Record<string, unknown>,
  problems: string[],
): ScopeTemplate {
  const plan = planValue(name, input, 'input', problems)
  return (value) => plan(value) as Record<string, unknown>
}

function planValue(name: string, value: unknown, path: string, problems: string[]): Resolve {
  if (typeof value === 'string') return planString(name, value, path, problems)
  if (Array.isArray(value)) {
    const items = value.map((item, i) => planValue(name, item, `${path}[${i}]`, problems))
    return (scope) => items.map((item) => item(scope))
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => [key, planValue(name, item, `${path}.${key}`, problems)] as const,
    )
    return (scope) => Object.fromEntries(entries.map(([key, item]) => [key, item(scope)]))
  }
  return () => value
}

function planString(name: string, text: string, path: string, problems: string[]): Resolve {
  const scanned = scanTemplate(text)
  if (!scanned.ok) {
    problems.push(`${path}: ${scanned.detail}`)
    return () => text
  }
  const parts = scanned.pieces.map((piece) => {
    if ('text' in piece) return piece.text
    const compiled = compileScopeCel(name, piece.source)
    if (typeof compiled === 'string') {
      problems.push(`${path}: ${JSON.stringify(piece.source)}: ${compiled}`)
      return piece.source
    }
    return compiled
  })
  if (parts.every((part) => typeof part === 'string')) return () => parts.join('')
  const evaluateIn = (part: ScopeCel, scope: Record<string, unknown>) =>
    part.evaluate({ [name]: toCel(scope) })
  if (scanned.exact && typeof parts[0] !== 'string') {
    const only = parts[0] as ScopeCel
    return (scope) => evaluateIn(only, scope)
  }
  return (scope) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return part
        const value = evaluateIn(part, scope)
        return typeof value === 'string' ? value : JSON.stringify(value)
      })
      .join('')
}
