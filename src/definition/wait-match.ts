import type { Environment } from '@marcbachmann/cel-js'
import { ExpressionError } from '../errors'
import type { LoggedEvent } from '../types'
import { celEnvironment } from './cel-environment'
import { fromCel, toCel } from './cel-values'
import { EVALUATION_LIMITS, meterExpression, withBudget } from './expression-budget'
import { explainProblem, locate } from './expression-problem'

/** The run a `wait-for-event` task's `match` reads as `run`. */
export interface MatchRun {
  runId: string
  definitionId: string
  input: Record<string, unknown>
}

/** A `wait-for-event` `match`, compiled once: whether an emitted event is the one the task waits for. */
export interface WaitMatch {
  readonly source: string
  evaluate(event: LoggedEvent, run: MatchRun): unknown
}

let shared: Environment | undefined

/**
 * The definitions' environment (which names `run` already) plus `event`, in a clone of its own
 * (as for routes), so a workflow's other expressions never see an `event`.
 */
function matchEnvironment(): Environment {
  shared ??= celEnvironment().clone().registerVariable('event', 'map')
  return shared
}

/**
 * Compiles `source`, the `match` of a `wait-for-event` task (CEL over `event`, the emitted
 * `{ type, data, id, at }`, and `run`, `{ runId, definitionId, input }`), or returns the problem
 * in words.
 */
export function checkWaitMatch(source: string): WaitMatch | string {
  if (source.trim() === '') return 'it is empty; write a CEL expression over event and run, like "true"'
  try {
    const parsed = matchEnvironment().parse(source)
    const typed = parsed.check()
    if (!typed.valid) return locate(typed.error).summary
    const unsafe = meterExpression(parsed.ast)
    if (unsafe) return explainProblem(unsafe, source)
    return {
      source,
      evaluate(event, run) {
        try {
          const value = withBudget(EVALUATION_LIMITS.maxSteps, () =>
            // `input` is `run.input`, as in the workflow's own expressions.
            parsed({
              event: toCel({ ...event, data: event.data ?? null }),
              run: toCel(run),
              input: toCel(run.input),
            }),
          )
          return fromCel(value, source)
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
