import type { RunData } from '../core/run-data'
import type { RunEvent } from '../core/run-reducer'
import { can } from '../core/run-state'
import type { CompiledWorkflow, RunState } from '../types'
import type { MachineRunner } from './machine-runner'

/** What feeding a run's machines reads of its executor. */
export interface MachineFeedRun {
  readonly state: RunState
  readonly wf: CompiledWorkflow
  readonly data: RunData
  now(): number
  random(): number
}

/**
 * Applies `event` to the run through `enqueue`, with what it makes the run's state machines do,
 * and returns the last round. A signal for a waiting machine is followed by the transition it
 * makes: computed before the signal is applied (the reducer sends it to the same task) and
 * journaled right after it, in the same write, so no crash falls in between. A task that starts
 * waiting, or a machine that moved on, is followed by the kept signals a machine now takes, one
 * transition at a time (each may open the way to the next).
 */
export function applyWithMachines<R>(
  run: MachineFeedRun,
  machines: MachineRunner | undefined,
  event: RunEvent,
  enqueue: (event: RunEvent) => R | undefined,
): R | undefined {
  // Most events (every task's start and completion) have nothing to do with machines.
  if (machines === undefined || (event.type !== 'signal.received' && event.type !== 'task.waiting'))
    return enqueue(event)
  const random = () => run.random()
  const transition =
    event.type === 'signal.received' && can(run.state, event)
      ? machines.transition(run.state, run.wf, event, random)
      : undefined
  let round = enqueue(event)
  if (transition !== undefined) round = enqueue(transition) ?? round
  else if (event.type !== 'task.waiting') return round
  for (;;) {
    const s = run.state
    const next = machines.fromBuffer(s, run.wf, run.data.signals, run.now(), random)
    if (next === undefined || !can(s, next)) return round
    round = enqueue(next) ?? round
  }
}
