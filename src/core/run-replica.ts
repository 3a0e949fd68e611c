import { compileWorkflow } from '../definition/compile'
import type { RunSnapshot, RunState, WorkflowEvent } from '../types'
import { type RunEvent, reduceRun } from './run-reducer'
import { can } from './run-state'

export type { RunSnapshot }

/** A copy of a run's state kept current by applying its events. */
export interface RunReplica {
  readonly state: RunState
  /**
   * Applies an event of the run. Events the state already reflects are ignored. Returns false
   * when an event is missing before this one, or on `workflow.rolled-back`: fetch a new snapshot
   * then.
   */
  apply(event: WorkflowEvent): boolean
}

/**
 * Follows a run elsewhere than in its engine (on the page, in another tab) by running the same
 * pure reducer over the run's events: every recorded event that did not derive from an earlier
 * one is an input the reducer accepted, so applying it in order reproduces the state exactly.
 *
 * @example
 * let replica = createRunReplica((await engine.runSnapshot(runId))!)
 * engine.events$.subscribe(async (event) => {
 *   if (!replica.apply(event)) replica = createRunReplica((await engine.runSnapshot(runId))!)
 *   render(computeProgress(replica.state))
 * })
 */
export function createRunReplica(snapshot: RunSnapshot): RunReplica {
  const wf = compileWorkflow(snapshot.definition, snapshot.defaults)
  const state = structuredClone(snapshot.state)
  // Whether the engine derived a `task.started` or was sent it once a slot of its limits came
  // depends on that engine's limits; with every task gated, each comes from the events, as sent.
  const everyTask: Record<string, true> = Object.fromEntries(wf.order.map((id) => [id, true as const]))
  return {
    state,
    apply(event) {
      if (event.runId !== state.runId || event.seq <= state.seq) return true
      if (event.seq !== state.seq + 1) return false
      // The engine rebuilds a rolled-back run from its store (the state at the checkpoint); the
      // event alone cannot undo what followed it here, so the caller must fetch a snapshot.
      if (event.type === 'workflow.rolled-back') return false
      const { seq: _seq, runId: _runId, ...input } = event as WorkflowEvent & { rolledBack?: true }
      delete (input as { rolledBack?: true }).rolledBack
      // An event the run would not have taken means this copy has drifted from the run.
      if (!can(state, input as RunEvent)) return false
      const gated = state.gated
      state.gated = everyTask
      reduceRun(state, input as RunEvent, wf)
      if (gated) state.gated = gated
      else delete state.gated
      return state.seq >= event.seq
    },
  }
}
