import type { LoggedEvent } from '../types'
import { toCel } from './cel-values'
import { compileEventCel } from './event-expression'

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

/**
 * Compiles `source`, the `match` of a `wait-for-event` task (CEL over `event`, the emitted
 * `{ type, data, id, at }`, and `run`, `{ runId, definitionId, input }`), or returns the problem
 * in words.
 */
export function checkWaitMatch(source: string): WaitMatch | string {
  const compiled = compileEventCel(
    source,
    'it is empty; write a CEL expression over event and run, like "true"',
  )
  if (typeof compiled === 'string') return compiled
  return {
    source,
    evaluate: (event, run) =>
      // `input` is `run.input`, as in the workflow's own expressions.
      compiled.evaluate({
        event: toCel({ ...event, data: event.data ?? null }),
        run: toCel(run),
        input: toCel(run.input),
      }),
  }
}
