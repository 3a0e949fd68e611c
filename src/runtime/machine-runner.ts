import {
  type AnyActorLogic,
  type AnyStateMachine,
  createActor,
  __unsafe_getAllOwnEventDescriptors as eventDescriptors,
  StateMachine,
} from 'xstate'
import type { Machines } from '../actions/builtin-context'
import type { RunEvent, RunEventOf } from '../core/reducer/run-step'
import { waiterFor } from '../core/reducer/signals'
import { SIGNAL_TTL_MS } from '../core/signal-buffer'
import { takesEvent } from '../core/waits/machine-wait'
import { TaskError, toErrorInfo } from '../errors'
import type { CompiledWorkflow, MachineWait, RunState } from '../types'

/** Where a machine stands after a start or an event. */
type Outcome =
  | { status: 'active'; snapshot: unknown; accepts: string[]; value: unknown }
  | { status: 'done'; output: unknown }

/**
 * Runs the machines of `EngineOptions.machines` for `state-machine` tasks: starts one for the
 * task runner, and turns a signal for a waiting machine into the `machine.transitioned` it
 * makes. Each run restores a fresh actor from the journaled snapshot, sends the one event and
 * stops it: no actor lives between events, so nothing of a machine outlives its run's executor.
 *
 * Durable only for machines whose every step is a transition: entry, exit and transition actions
 * run when the step is computed (again, should its journal write fail before it commits: at least
 * once); invoked or spawned actors and delayed (`after`) transitions are refused, as they would
 * be lost at the next reload.
 */
export class MachineRunner implements Machines {
  readonly #machines: Readonly<Record<string, AnyStateMachine>>
  readonly #prepared = new Map<string, AnyStateMachine>()

  constructor(machines: Readonly<Record<string, AnyStateMachine>> = {}) {
    this.#machines = machines
  }

  start(name: string, input: unknown): { done: true; output: unknown } | { done: false; wait: MachineWait } {
    const outcome = step(name, this.#machine(name), { input: copy(input, name, 'input') })
    if (outcome.status === 'done') return { done: true, output: outcome.output }
    return {
      done: false,
      wait: { kind: 'machine', machine: name, snapshot: outcome.snapshot, accepts: outcome.accepts },
    }
  }

  /**
   * The `machine.transitioned` that `signal` makes in the machine it goes to (the same waiter
   * the reducer will pick), or undefined when it goes to no machine. Never throws: a machine
   * that fails, or is not in this engine's options, gives an `error` transition.
   */
  transition(
    s: RunState,
    wf: CompiledWorkflow,
    signal: RunEventOf<'signal.received'>,
    rand: () => number,
  ): RunEvent | undefined {
    const taskId = waiterFor(s, wf, signal.name)
    const wait = taskId === undefined ? undefined : s.tasks[taskId]!.wait
    if (taskId === undefined || wait?.kind !== 'machine') return undefined
    return this.#transition(taskId, wait, signal.name, signal.payload, signal.at, rand)
  }

  /**
   * The `machine.transitioned` a buffered signal makes in a waiting machine whose state takes it
   * now (it started waiting, or moved on): the first such machine in definition order, with its
   * oldest signal still in time; undefined when there is none. The reducer takes that signal out
   * of the buffer as it applies the transition.
   */
  fromBuffer(
    s: RunState,
    wf: CompiledWorkflow,
    payloads: ReadonlyMap<number, unknown>,
    at: number,
    rand: () => number,
  ): RunEvent | undefined {
    if (s.bufferedSignals === 0) return undefined
    for (const taskId of wf.order) {
      const t = s.tasks[taskId]!
      const wait = t.wait
      if (t.status !== 'waiting' || wait?.kind !== 'machine') continue
      let oldest: { name: string; seq: number } | undefined
      for (const name in s.signals) {
        if (!takesEvent(wait.accepts, name)) continue
        // Kept oldest first: the first one in time is the one the reducer's takeSignal takes.
        const first = s.signals[name]!.find((kept) => kept.at + SIGNAL_TTL_MS > at)
        if (first !== undefined && (oldest === undefined || first.seq < oldest.seq))
          oldest = { name, seq: first.seq }
      }
      if (oldest !== undefined)
        return this.#transition(taskId, wait, oldest.name, payloads.get(oldest.seq), at, rand, oldest.seq)
    }
    return undefined
  }

  #transition(
    taskId: string,
    wait: MachineWait,
    name: string,
    payload: unknown,
    at: number,
    rand: () => number,
    signal?: number,
  ): RunEvent {
    const base = {
      type: 'machine.transitioned',
      taskId,
      event: name,
      at,
      ...(signal === undefined ? {} : { signal }),
    } as const
    try {
      const machine = this.#machine(wait.machine)
      const event = { ...payloadFields(payload), type: name }
      const snapshot = copy(wait.snapshot, wait.machine, 'snapshot')
      const outcome = step(wait.machine, machine, { snapshot }, event)
      return outcome.status === 'done'
        ? { ...base, status: 'done', output: outcome.output }
        : { ...base, ...outcome }
    } catch (error) {
      return { ...base, status: 'error', error: toErrorInfo(error, 'MACHINE_FAILED'), rand: rand() }
    }
  }

  #machine(name: string): AnyStateMachine {
    const prepared = this.#prepared.get(name)
    if (prepared) return prepared
    const machine = Object.hasOwn(this.#machines, name) ? this.#machines[name] : undefined
    if (machine) {
      checkDurable(name, machine.root)
      const own = withFinalOutput(machine)
      this.#prepared.set(name, own)
      return own
    }
    const known = Object.keys(this.#machines)
    throw new TaskError(
      'INPUT_INVALID',
      `No state machine "${name}": pass it in EngineOptions.machines (in the worker's engine when it runs in a worker); known: ${known.length > 0 ? known.join(', ') : 'none'}.`,
      { value: name },
    )
  }
}

/**
 * The machine, its output being the output of the final state it reaches when it has no `output`
 * of its own (XState gives such a machine no output; the task's output is that state's). The
 * same config and implementations, so its snapshots are the original's.
 */
function withFinalOutput(machine: AnyStateMachine): AnyStateMachine {
  if (machine.config.output !== undefined) return machine
  const config = { ...machine.config, output: ({ event }: { event: { output?: unknown } }) => event.output }
  return new StateMachine(config as never, machine.implementations as never) as unknown as AnyStateMachine
}

/**
 * Refuses a machine with a state that invokes an actor or has a delayed (`after`) transition,
 * whichever state it is in: neither would survive a reload. (Spawned actors show only when a
 * state spawns one: `step` refuses them then.)
 */
function checkDurable(name: string, node: AnyStateMachine['root']): void {
  if (node.invoke.length > 0) throw unsupported(name, `invokes an actor in state "${node.id}"`)
  if (node.after.length > 0) throw unsupported(name, `has a delayed (after) transition in state "${node.id}"`)
  for (const child of Object.values(node.states)) checkDurable(name, child)
}

/** A signal's payload as event fields: an object's own fields, anything else as `payload`. */
function payloadFields(payload: unknown): Record<string, unknown> {
  if (payload === undefined) return {}
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload))
    return payload as Record<string, unknown>
  return { payload }
}

/** Starts (or restores) an actor of `machine`, sends it `event`, and says where it stands. */
function step(
  name: string,
  machine: AnyStateMachine,
  options: { input?: unknown; snapshot?: unknown },
  event?: { type: string },
): Outcome {
  const actor = createActor(machine as AnyActorLogic, options as never)
  let failure: { error: unknown } | undefined
  // The failure is read below and becomes the task's: no unhandled report of it as well.
  const subscription = actor.subscribe({
    error: (error) => {
      failure = { error }
    },
  })
  try {
    actor.start()
    if (event !== undefined && actor.getSnapshot().status === 'active') actor.send(event)
    const snapshot = actor.getSnapshot()
    if (failure !== undefined || snapshot.status === 'error') {
      const error = failure?.error ?? snapshot.error
      throw new TaskError('MACHINE_FAILED', `State machine "${name}" failed: ${toErrorInfo(error).message}`, {
        value: snapshot.value,
        cause: error,
      })
    }
    if (Object.keys(snapshot.children ?? {}).length > 0) throw unsupported(name, 'invokes or spawns actors')
    const descriptors = eventDescriptors(snapshot)
    if (descriptors.some((d) => d.startsWith('xstate.after.')))
      throw unsupported(name, 'has delayed (after) transitions')
    if (snapshot.status === 'done') return { status: 'done', output: copy(snapshot.output, name, 'output') }
    return {
      status: 'active',
      snapshot: copy(actor.getPersistedSnapshot(), name, 'snapshot'),
      // XState's own events (`xstate.done.state.*`) are raised inside the machine, never sent.
      accepts: descriptors.filter((d) => !d.startsWith('xstate.')),
      value: copy(snapshot.value, name, 'state value'),
    }
  } finally {
    subscription.unsubscribe()
    actor.stop()
  }
}

function unsupported(name: string, what: string): TaskError {
  return new TaskError(
    'INPUT_INVALID',
    `State machine "${name}" ${what}, which would not survive a reload; run such work as tasks and send its outcome, or the time, as signals instead.`,
    { value: name },
  )
}

/** A copy the journal can hold: a machine's input, context and output must be plain data. */
function copy(value: unknown, name: string, what: string): unknown {
  try {
    return value === undefined ? undefined : structuredClone(value)
  } catch (error) {
    throw new TaskError(
      'INPUT_INVALID',
      `State machine "${name}": its ${what} must be structured-clone-safe data (no functions or class instances).`,
      { value: String(value), cause: error },
    )
  }
}
