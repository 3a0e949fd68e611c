import { type Actor, createActor, enqueueActions, type Snapshot, setup } from 'xstate'
import type { CompiledWorkflow, RunState } from '../types'
import { type RunEvent, reduceRun, type Step } from './run-reducer'
import { can, initialRunState } from './run-state'
import { upgradeTaskWaits } from './waits/upgrade-task-waits'

/** The machine's one state node: the status is `context.status`, not a second copy in the state value. */
const RUN_STATE = 'run'

/**
 * The run machine: one XState actor per run. The run's status lives in its context alone, and
 * `can` decides which events apply; `reduceRun` does the bookkeeping and announces, as one
 * emitted event per transition, what the engine must do (journal records, start a task, arm a
 * timer). The machine performs no I/O, invokes no actors and keeps no timers, so replaying the
 * journal into it restores a run exactly — XState itself re-runs in-flight promise actors on
 * restore and loses `after` timers (statelyai/xstate#5331).
 *
 * Tasks are rows of the context, not parallel regions: regions get slow past ~100 of them.
 */
export function createRunMachine(wf: CompiledWorkflow) {
  return setup({
    types: {
      context: {} as RunState,
      events: {} as RunEvent,
      input: {} as { runId: string; createdAt: number },
      emitted: {} as { type: 'step'; step: Step },
    },
    guards: {
      can: ({ context, event }) => can(context, event),
    },
    actions: {
      // One emitted event per transition carries its whole step.
      apply: enqueueActions(({ context, event, enqueue }) => {
        const step = reduceRun(context, event, wf)
        if (step.records.length > 0 || step.commands.length > 0) enqueue.emit({ type: 'step', step })
      }),
    },
  }).createMachine({
    id: 'run',
    context: ({ input }) => initialRunState(wf, input.runId, input.createdAt),
    initial: RUN_STATE,
    states: {
      [RUN_STATE]: { on: { '*': { guard: 'can', actions: 'apply' } } },
    },
  })
}

export type RunMachine = ReturnType<typeof createRunMachine>
export type RunActor = Actor<RunMachine>

const machines = new WeakMap<CompiledWorkflow, RunMachine>()

/** One machine per compiled definition version, shared by all its runs. */
export function machineFor(wf: CompiledWorkflow): RunMachine {
  let machine = machines.get(wf)
  if (!machine) {
    machine = createRunMachine(wf)
    machines.set(wf, machine)
  }
  return machine
}

/** What an event the run does not take gives: nothing to journal, nothing to do. */
const NO_STEP: Step = Object.freeze({
  records: Object.freeze([]),
  commands: Object.freeze([]),
}) as unknown as Step

/**
 * Feeds one event to a run and returns its step. A task-level event (anything but `workflow.*`)
 * is most of a run's events; the machine's one transition for it is the `can` guard and the
 * `apply` action, so it is reduced here with those two, without the actor's transition machinery
 * (which costs more than the reduction itself). The status lives only in the context, so the
 * actor needs no news of it. `workflow.*` events, and every event while an inspector watches the
 * actor (which should see them all), go through the actor; `collect` takes the step it emitted, if any.
 */
export function feedRun(
  actor: RunActor,
  wf: CompiledWorkflow,
  event: RunEvent,
  collect: () => Step | undefined,
  inspected: boolean,
): Step {
  if (inspected || event.type.startsWith('workflow.')) {
    actor.send(event)
    return collect() ?? NO_STEP
  }
  const context = actor.getSnapshot().context
  if (!can(context, event)) return NO_STEP
  return reduceRun(context, event, wf)
}

/** Starts a run actor, fresh or from a persisted snapshot; its id is the run id (as inspectors show it). */
export function startRunActor(
  machine: RunMachine,
  runId: string,
  createdAt: number,
  snapshot?: Snapshot<unknown>,
  inspect?: (inspectionEvent: unknown) => void,
): RunActor {
  const options = { id: runId, input: { runId, createdAt }, ...(inspect && { inspect }) }
  const actor = createActor(machine, snapshot ? { ...options, snapshot: currentShape(snapshot) } : options)
  actor.start()
  return actor
}

/**
 * A persisted snapshot in the machine's current shape. Snapshots written while the machine had
 * a state node per run status name that status as their value (and `done` for a finished run);
 * the status they carry in the context is the same, so only the state node changes. Their tasks
 * may still keep their waits as flat fields.
 */
function currentShape(snapshot: Snapshot<unknown>): Snapshot<unknown> {
  const { context } = snapshot as unknown as { context: RunState }
  return {
    ...(snapshot as object),
    value: RUN_STATE,
    status: 'active',
    context: upgradeTaskWaits(context),
  } as unknown as Snapshot<unknown>
}
