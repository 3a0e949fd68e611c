import { ArgumentError } from '../errors'
import { reportUnhandledError } from './report-unhandled-error'

/** Receives XState inspection events (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`, …). */
export type RunInspector = (inspectionEvent: unknown) => void

/**
 * The `inspect` option as run actors call it. XState calls an inspector inside the actor's own
 * transition, so a throwing one would break the run it watches: its failures are reported to the
 * host instead, and the run goes on.
 */
export function runInspector(inspect: unknown): RunInspector | undefined {
  if (inspect === undefined) return undefined
  if (typeof inspect !== 'function') {
    throw new ArgumentError(
      `EngineOptions.inspect must be a function (inspectionEvent) => void, such as the \`inspect\` of @statelyai/inspect's createBrowserInspector(); got ${typeof inspect}.`,
      { value: inspect },
    )
  }
  return (inspectionEvent) => {
    try {
      inspect(inspectionEvent)
    } catch (error) {
      reportUnhandledError(error)
    }
  }
}
