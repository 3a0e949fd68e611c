import { type Actor, createActor, enqueueActions, type Snapshot, setup } from 'xstate'
import type { CompiledWorkflow, RunState, RunStatus } from '../types'
import { type RunEvent, reduceRun, type Step } from './run-reducer'
import { accepts, initialRunState } from './run-state'

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
      events: {} as RunEvent,
      input: {} as { runId: string; createdAt: number },
      emitted: {} as { type: 'step'; step: Step },
    },
    guards: {
      accepts: ({ context, event }) => !event.type.startsWith('workflow.') && accepts(context, event),
      // Only the run's own timer sends it, but a replay or a late timer must not fail a run early.
      due: ({ context, event }) => context.deadline !== undefined && event.at >= context.deadline,
      settled: ({ context }) => context.remaining === 0,
      isPaused: is('paused'),
      isFailed: is('failed'),
      isRunning: is('running'),
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

/** Starts a run actor, fresh or from a persisted snapshot. */
export function startRunActor(
  machine: RunMachine,
  runId: string,
  createdAt: number,
  snapshot?: Snapshot<unknown>,
): RunActor {
  const actor = createActor(
    machine,
    snapshot ? { snapshot, input: { runId, createdAt } } : { input: { runId, createdAt } },
  )
  actor.start()
  return actor
}
