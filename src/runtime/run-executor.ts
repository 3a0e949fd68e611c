import type { Snapshot } from 'xstate'
import type { Capabilities, ChildRunRequest, ChildRunStarted } from '../actions/builtin-context'
import { deepFreeze } from '../boundary'
import type { RunData } from '../core/run-data'
import { machineFor, type RunActor, startRunActor } from '../core/run-machine'
import type { RunEvent } from '../core/run-reducer'
import { can } from '../core/run-state'
import { InvalidStateError, SpindleError, toErrorInfo } from '../errors'
import type { CommitBatch, JournalEntry, RunRecord } from '../store/store'
import type { CompiledWorkflow, ExpressionScope, RunState, WorkflowEvent } from '../types'
import type { ActionLimiter } from './action-limiter'
import { type ChildStarter, startChild } from './child-start'
import type { JournalSource, JournalWriter } from './journal'
import { applyWithMachines } from './machine-feed'
import type { MachineRunner } from './machine-runner'
import { reportUnhandledError } from './report-unhandled-error'
import type { ResultCache } from './result-cache'
import { resumeWork } from './resume-work'
import { RunCommands } from './run-commands'
import { RunRounds } from './run-rounds'
import type { RunnableAction, TaskHost } from './task-runner'

/** What an executor needs from its engine. */
export interface ExecutorHost {
  readonly journal: JournalWriter
  now(): number
  random(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  action(name: string): RunnableAction
  /** Receives the run actors' XState inspection events. */
  readonly inspect?: (inspectionEvent: unknown) => void
  /** A committed record of `run` goes out (the run may have left the live runs already). */
  publish(event: WorkflowEvent, run: RunExecutor): void
  /** The run reached a terminal status and every record of it is committed and published. */
  settled(executor: RunExecutor): void
  /** A journal write failed: the executor has stopped; the engine decides what follows. */
  broken(executor: RunExecutor, error: unknown): void
  readonly snapshotEvery: number
  /** Runs the machines of `state-machine` tasks. */
  readonly machines?: MachineRunner
  /** Starts the child runs of `subworkflow` tasks; absent, such tasks fail. */
  readonly startChild?: ChildStarter
  /** What the engine lends its runs' actions (secrets, …). */
  readonly capabilities: Capabilities
  /** The engine's limits per action (`EngineOptions.limits`); absent when it has none. */
  readonly limiter?: ActionLimiter
  /** The engine's result cache, for tasks with `cache`. */
  readonly resultCache?: ResultCache
}

/**
 * Drives one run: sends events into its actor, journals what the actor records, and — once the
 * journal write that carries them has committed — publishes the records and carries out the
 * actor's commands (start tasks, arm timers, finish). A dependent task therefore never starts,
 * and `task.completed` is never published, before the completion is durable.
 *
 * The commit rounds are a `RunRounds`, the commands a `RunCommands`; the executor is what the
 * engine, the journal writer and the task runner see.
 */
export class RunExecutor implements JournalSource, TaskHost {
  readonly runId: string
  readonly wf: CompiledWorkflow
  readonly data: RunData
  readonly #host: ExecutorHost
  readonly #actor: RunActor
  readonly #rounds: RunRounds
  readonly #commands: RunCommands
  /** Why the executor stopped: what a send after the stop, or one whose entries it dropped, rejects with. */
  #stopError: SpindleError | undefined
  /** Whether a journal write of this executor committed (for a new run: its record is stored). */
  #wrote = false

  constructor(
    host: ExecutorHost,
    wf: CompiledWorkflow,
    record: RunRecord,
    data: RunData,
    snapshot?: Snapshot<unknown>,
    options: { newRun?: boolean } = {},
  ) {
    this.#host = host
    this.wf = wf
    this.runId = record.runId
    // The run's own objects are shared with views, scopes and subscribers: frozen, never copied.
    deepFreeze(record.input)
    this.data = data
    this.#actor = startRunActor(machineFor(wf), record.runId, record.createdAt, snapshot, host.inspect)
    // The limits are the engine's, not the run's: the engine running it now decides which of its
    // tasks wait for a slot, also for a run restored from a snapshot taken under other limits.
    const gated = host.limiter?.gatedTasks(wf.tasks)
    const state = this.state
    if (gated) state.gated = gated
    else if (state.gated) delete state.gated
    this.#commands = new RunCommands(this, host)
    this.#rounds = new RunRounds(
      host,
      this,
      this.#commands,
      wf,
      record,
      data,
      this.#actor,
      host.inspect !== undefined,
      options.newRun === true,
    )
  }

  /** The run's record as last written (or about to be written with the next batch). */
  get record(): RunRecord {
    return this.#rounds.record
  }

  get state(): RunState {
    return this.#actor.getSnapshot().context
  }

  /** Whether the run would accept `event` now (the guard of every control call). */
  can(event: RunEvent): boolean {
    return can(this.state, event)
  }

  /**
   * Sends an event into the run. Resolves when its records are committed and published;
   * rejects if the journal write failed (the run has stopped then), and with the stop's error
   * if the executor has stopped, or stops before the records go out.
   */
  send(event: RunEvent): Promise<void> {
    if (this.#stopError) return Promise.reject(this.#stopError)
    // The reducer numbers the event it records in place, and the journal freezes it: the
    // caller's object stays the caller's.
    return this.#rounds.bound(this.#apply({ ...event }))
  }

  /** Whether a round of effects waits for its journal write or has not been carried out yet. */
  get busy(): boolean {
    return this.#rounds.busy
  }

  /** Resolves once the rounds of effects queued now are carried out (or the run broke). */
  idle(): Promise<void> {
    return this.#rounds.idle()
  }

  /**
   * Sends an event from inside the run (the task runner's progress, logs and item completions,
   * and the commands' own events); a failed write stops the run through `#break`. It needs no
   * promise of its own: the round its records join breaks the run when their write fails, and
   * once the executor has stopped there is nothing left to break.
   */
  post(event: RunEvent): void {
    const commands = this.#commands
    if (commands.stopped) return
    if (commands.fenced !== undefined) {
      this.#break(this.#refusal(event))
      return
    }
    applyWithMachines(this, this.#host.machines, event, this.#enqueue)
  }

  #apply(event: RunEvent): Promise<void> {
    if (this.#commands.stopped) return Promise.resolve()
    if (this.#commands.fenced !== undefined) return Promise.reject(this.#refusal(event))
    return applyWithMachines(this, this.#host.machines, event, this.#enqueue)?.done ?? Promise.resolve()
  }

  readonly #enqueue = (event: RunEvent) => this.#rounds.enqueue(event)

  /** The engine's state machines, for the `state-machine` tasks of this run. */
  get machines(): MachineRunner | undefined {
    return this.#host.machines
  }

  /** What the engine lends the actions of this run. */
  get capabilities(): Capabilities {
    return this.#host.capabilities
  }

  /** The engine's limits per action, if it has any. */
  get limiter(): ActionLimiter | undefined {
    return this.#host.limiter
  }

  /** The engine's result cache. */
  get resultCache(): ResultCache | undefined {
    return this.#host.resultCache
  }

  #refusal(event: RunEvent): InvalidStateError {
    return new InvalidStateError(
      `Run "${this.runId}" takes no events now: ${this.#commands.fenced}; try again once that is done.`,
      { value: { runId: this.runId, event: event.type } },
    )
  }

  /** Whether a journal write of this executor committed: a new run's record is stored then. */
  get wrote(): boolean {
    return this.#wrote
  }

  /** The journal write carrying the round in flight committed: carry out its commands. */
  committed(): void {
    this.#wrote = true
    const round = this.#rounds.takeFlying()
    if (round === undefined) return
    // Settled first, its waiters go on before the work this round starts: they still see the
    // records published, which happens before any of them runs.
    round.resolve()
    try {
      if (this.#commands.carryOut(round.commands) && isTerminalStatus(this.state.status))
        this.#host.settled(this)
    } catch (failure) {
      // Carrying out a command failed outside any task (the clock could not arm a timer): no
      // run state or caller can hold that failure.
      reportUnhandledError(failure)
    }
  }

  collect(batch: CommitBatch): void {
    this.#rounds.collect(batch)
  }

  failed(error: unknown): void {
    const rounds = this.#rounds.drain()
    this.#break(error)
    // Their records are lost or will never be written: the sends waiting on them learn why.
    for (const round of rounds) round?.reject(error)
  }

  /** Replays journal entries the restored actor has not seen; records nothing, runs nothing. */
  replay(entries: readonly JournalEntry[]): void {
    // Whether a `task.started` was derived from an admission or sent once a slot was granted
    // depends on the limits of the engine that wrote it, which may not be this one's. With every
    // task gated, each one is fed from the journal: the same state either way.
    const gated = this.state.gated
    this.state.gated = Object.fromEntries(this.wf.order.map((id) => [id, true as const]))
    try {
      this.#rounds.replay(entries)
    } finally {
      if (gated) this.state.gated = gated
      else delete this.state.gated
    }
  }

  /** After a restore: restarts in-flight work and re-arms durable timers (see `resumeWork`). */
  resumeWork(executor: string): Promise<void> {
    return resumeWork(this, this.#commands, executor)
  }

  /**
   * Stops executing: aborts in-flight actions and clears timers, recording nothing. Sends from
   * now on, and those whose entries are still queued, reject with `error`.
   */
  stop(
    reason: string,
    error: SpindleError = new InvalidStateError(`Run "${this.runId}" stopped: ${reason}.`),
  ): void {
    if (this.#commands.stopped) return
    this.#stopError = error
    this.#rounds.stop(error)
    this.#commands.stop(reason)
    this.#actor.stop()
  }

  /**
   * Stops executing (in-flight actions are aborted, timers cleared, later events refused) but
   * lets the entries already queued commit and be published, so what the run did before the
   * fence is in the journal, and nothing after it. Resolves once those writes have settled (a
   * failed one stops the run as `stop` would); `state.seq` is then the last position the run
   * used. Starts nothing, finishes nothing and never reports the run settled: whoever fenced
   * the run decides what follows.
   */
  async fence(reason: string): Promise<void> {
    this.#commands.fence(reason)
    await this.idle()
  }

  #break(error: unknown): void {
    if (this.#commands.stopped) return
    this.stop(
      `journal write failed: ${toErrorInfo(error).message}`,
      error instanceof SpindleError ? error : undefined,
    )
    this.#host.broken(this, error)
  }

  // ─── TaskHost ──────────────────────────────────────────────────────────────────────────

  now(): number {
    return this.#host.now()
  }
  random(): number {
    return this.#host.random()
  }
  setTimeout(callback: () => void, ms: number): unknown {
    return this.#host.setTimeout(callback, ms)
  }
  clearTimeout(handle: unknown): void {
    this.#host.clearTimeout(handle)
  }
  action(name: string): RunnableAction {
    return this.#host.action(name)
  }
  readState(key: string): unknown {
    return this.data.state[key]
  }
  startChild(taskId: string, index: number | undefined, request: ChildRunRequest): Promise<ChildRunStarted> {
    return startChild(this, this.#host.startChild, taskId, index, request)
  }
  doneItems(taskId: string): ReadonlyMap<number, unknown> {
    return this.data.items.get(taskId) ?? new Map()
  }
  isPaused(): boolean {
    return this.state.status === 'paused'
  }
  onResume(listener: () => void): () => void {
    return this.#commands.onResume(listener)
  }
  scope(refs: readonly string[], extra?: { item: unknown; index: number }): ExpressionScope {
    const tasks: ExpressionScope['tasks'] = {}
    const s = this.state
    for (const ref of refs)
      tasks[ref] = { output: this.data.outputs.get(ref) ?? null, status: s.tasks[ref]!.status }
    return {
      input: this.record.input,
      tasks,
      state: this.data.state,
      run: { id: this.runId, definitionId: s.definitionId, version: s.version, startedAt: s.startedAt },
      ...extra,
    }
  }
}

export function isTerminalStatus(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled'
}
