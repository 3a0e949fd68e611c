import { type Actor, createActor, enqueueActions, type Snapshot, setup } from 'xstate'
import type { CompiledWorkflow, RunState, RunStatus } from '../types'
import { type RunCommand, type RunEvent, reduceRun } from './run-reducer'
import { accepts, initialRunState } from './run-state'

/**
 * Tells the actor that a task event reduced past it (see `feedRun`) changed the run's status, so
 * its eventless transitions bring its state in line. Not a run event: never journaled.
 */
const STATUS_CHANGED = { type: 'run.status-changed' } as const
type MachineEvent = RunEvent | typeof STATUS_CHANGED
const NO_COMMANDS: RunCommand[] = []

/**
 * The run machine: one XState actor per run. Its states are the run's statuses and say which
 * events a run accepts in each; `reduceRun` does the bookkeeping and announces, as emitted
 * events, what the engine must do (journal a record, start a task, arm a timer). The machine
 * performs no I/O, invokes no actors and keeps no timers, so replaying the journal into it
 * restores a run exactly — XState itself re-runs in-flight promise actors on restore and loses
 * `after` timers (statelyai/xstate#5331).
 *
 * Tasks are rows of the context, not parallel regions: regions get slow past ~100 of them.
 */
export function createRunMachine(wf: CompiledWorkflow) {
  const is =
    (status: RunStatus) =>
    ({ context }: { context: RunState }) =>
      context.status === status
  return setup({
    types: {
      context: {} as RunState,
      events: {} as MachineEvent,
      input: {} as { runId: string; createdAt: number },
      emitted: {} as { type: 'commands'; commands: RunCommand[] },
    },
    guards: {
      accepts: ({ context, event }) =>
        event.type !== STATUS_CHANGED.type && !event.type.startsWith('workflow.') && accepts(context, event),
      // Only the run's own timer sends it, but a replay or a late timer must not fail a run early.
      due: ({ context, event }) =>
        context.deadline !== undefined && 'at' in event && event.at >= context.deadline,
      settled: ({ context }) => context.remaining === 0,
      isPaused: is('paused'),
      isFailed: is('failed'),
      isRunning: is('running'),
    },
    actions: {
      // One emitted event per transition carries all its commands, in order.
      apply: enqueueActions(({ context, event, enqueue }) => {
        if (event.type === STATUS_CHANGED.type) return
        const commands = reduceRun(context, event, wf)
        if (commands.length > 0) enqueue.emit({ type: 'commands', commands })
      }),
    },
  }).createMachine({
    id: 'run',
    context: ({ input }) => initialRunState(wf, input.runId, input.createdAt),
    initial: 'queued',
    states: {
      queued: {
        on: {
          'workflow.started': { target: 'running', actions: 'apply' },
          'workflow.queued': { actions: 'apply' },
          'workflow.cancelled': { target: 'cancelled', actions: 'apply' },
          'workflow.recovered': { actions: 'apply' },
          'signal.received': { actions: 'apply' },
          'workflow.timed-out': { guard: 'due', target: 'failed', actions: 'apply' },
        },
      },
      running: {
        always: [
          { guard: 'isPaused', target: 'paused' },
          { guard: 'isFailed', target: 'failed' },
        ],
        on: {
          'workflow.paused': { target: 'paused', actions: 'apply' },
          'workflow.cancelled': { target: 'cancelled', actions: 'apply' },
          'workflow.completed': { guard: 'settled', target: 'completed', actions: 'apply' },
          'workflow.failed': { target: 'failed', actions: 'apply' },
          'workflow.recovered': { actions: 'apply' },
          'workflow.rolled-back': { target: 'paused', actions: 'apply' },
          'workflow.timed-out': { guard: 'due', target: 'failed', actions: 'apply' },
          '*': { guard: 'accepts', actions: 'apply' },
        },
      },
      paused: {
        always: [{ guard: 'isFailed', target: 'failed' }],
        on: {
          'workflow.resumed': { target: 'running', actions: 'apply' },
          'workflow.cancelled': { target: 'cancelled', actions: 'apply' },
          'workflow.completed': { guard: 'settled', target: 'completed', actions: 'apply' },
          'workflow.failed': { target: 'failed', actions: 'apply' },
          'workflow.recovered': { actions: 'apply' },
          'workflow.rolled-back': { actions: 'apply' },
          'workflow.timed-out': { guard: 'due', target: 'failed', actions: 'apply' },
          '*': { guard: 'accepts', actions: 'apply' },
        },
      },
      failed: {
        always: [{ guard: 'isRunning', target: 'running' }],
        on: {
          'workflow.cancelled': { target: 'cancelled', actions: 'apply' },
          'workflow.recovered': { actions: 'apply' },
          'workflow.rolled-back': { target: 'paused', actions: 'apply' },
          'checkpoint.saved': { actions: 'apply' },
          'task.retrying': { guard: 'accepts', actions: 'apply' },
          'task.skipped': { guard: 'accepts', actions: 'apply' },
          'signal.received': { actions: 'apply' },
        },
      },
      completed: { type: 'final' },
      cancelled: { type: 'final' },
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

/**
 * Feeds one event to a run and returns the commands it gives. In a running or paused run, a
 * task-level event (anything but `workflow.*`) takes the `'*'` transition of its state: no
 * target, the `accepts` guard and the `apply` action. Those events are most of a run's events,
 * so they are reduced here, with that guard and that action, without the actor's transition
 * machinery (which costs more than the reduction itself); the actor hears of them only when one
 * changed the run's status, so its eventless transitions follow. Every other event, and every
 * event while an inspector watches the actor (which should see them all), goes through the actor.
 */
export function feedRun(
  actor: RunActor,
  wf: CompiledWorkflow,
  event: RunEvent,
  collect: () => RunCommand[],
  inspected: boolean,
): RunCommand[] {
  const snapshot = actor.getSnapshot()
  const value = snapshot.value
  if (inspected || (value !== 'running' && value !== 'paused') || event.type.startsWith('workflow.')) {
    actor.send(event)
    return collect()
  }
  const context = snapshot.context
  if (!accepts(context, event)) return NO_COMMANDS
  const commands = reduceRun(context, event, wf)
  if (context.status !== value) actor.send(STATUS_CHANGED)
  return commands
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
  const actor = createActor(machine, snapshot ? { ...options, snapshot } : options)
  actor.start()
  return actor
}
