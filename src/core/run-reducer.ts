import type { CompiledWorkflow, RunState } from '../types'
import { approvals } from './reducer/approvals'
import { childRuns } from './reducer/child-runs'
import { machines } from './reducer/machines'
import { runFork } from './reducer/run-fork'
import { runLifecycle } from './reducer/run-lifecycle'
import { type Handler, type HandlerTable, type RunEvent, RunStep, type Step } from './reducer/run-step'
import { signals } from './reducer/signals'
import { taskAttempts } from './reducer/task-attempts'
import { fill } from './reducer/task-scheduling'
import { waits } from './reducer/waits'

export type { RunCommand, RunEvent, Step } from './reducer/run-step'

/** Every event type's handler, one family per file. */
const handlers = {
  ...runLifecycle,
  ...taskAttempts,
  ...waits,
  ...signals,
  ...approvals,
  ...runFork,
  ...machines,
  ...childRuns,
} satisfies HandlerTable

/**
 * Applies one event to the run state (in place: an O(1) change for most events, where copying
 * the task table on every event would make a run of n tasks cost O(n²)) and returns what the
 * engine must do. Deterministic: the same state and event always give the same result, which is
 * what makes replaying the journal restore a run exactly. The event is the run's from then on:
 * recorded, it is the journal record itself (numbered in place), so pass one made for the call.
 */
export function reduceRun(s: RunState, e: RunEvent, wf: CompiledWorkflow): Step {
  const step = new RunStep(wf, e.at)
  ;(handlers[e.type] as Handler<RunEvent['type']>)(s, e, step)
  // Whatever the event freed (a slot, a dependency, a resume) is taken up at once.
  fill(s, step)
  return step
}

/** Every event type the reducer handles. */
export const runEventTypes = Object.keys(handlers) as RunEvent['type'][]
