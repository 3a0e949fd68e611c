import { type RunEvent, reduceRun, type Step } from '../../../src/core/run-reducer'
import { initialRunState } from '../../../src/core/run-state'
import { compileWorkflow } from '../../../src/definition/compile'
import type { CompiledWorkflow, TaskDefinition, WorkflowDefinition } from '../../../src/types'

/*
 * The reducer alone: events in, state and step out. No clock, no store, no engine.
 */

export function workflow(tasks: Record<string, TaskDefinition>, extra: Partial<WorkflowDefinition> = {}) {
  return compileWorkflow({ schemaVersion: '2.0', id: 'wf', version: '1.0.0', tasks, ...extra })
}

/** Event types fed to the reducer in this test file, to check each handler of a family is covered. */
export const fed = new Set<string>()

/** A run of `wf` with a reducer to feed it, each event checked off as covered. */
export function runOf(wf: CompiledWorkflow) {
  const s = initialRunState(wf, 'r1', 0)
  const feed = (e: RunEvent): Step => {
    fed.add(e.type)
    return reduceRun(s, e, wf)
  }
  return { s, feed }
}

export function startedRun(wf: CompiledWorkflow, at = 10) {
  const run = runOf(wf)
  run.feed({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at })
  return run
}

export const types = (step: Step) => step.records.map((r) => r.type)

/** `a`, then `b` after it, one at a time. */
export const chain = () =>
  workflow({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } }, { concurrency: 1 })
