import type { Snapshot } from 'xstate'
import { deepFreeze } from '../boundary'
import { dormantUntil } from '../core/dormancy'
import { keepData, type RunData } from '../core/run-data'
import { feedRun, machineFor, type RunActor, startRunActor } from '../core/run-machine'
import type { RunCommand, RunEvent, Step } from '../core/run-reducer'
import { can } from '../core/run-state'
import { deadlineOf } from '../core/waits/wait-kind'
import { ExpressionError, InvalidStateError, SpindleError, toErrorInfo } from '../errors'
import { outputRecordOf } from '../store/output-record'
import type { CommitBatch, JournalEntry, OutputRecord, RunRecord } from '../store/store'
import type { CompiledWorkflow, ExpressionScope, RunState, WorkflowEvent } from '../types'
import { AttemptAbort } from './attempt-abort'
import { DeadlineTimer } from './deadline-timer'
import { EffectRound } from './effect-round'
import type { JournalSource, JournalWriter } from './journal'
import { reportUnhandledError } from './report-unhandled-error'
import { type RunnableAction, runTask, type TaskHost } from './task-runner'

/**
 * A step's records, then its commands, in the order the executor handles them. A record goes in
 * as it is, with no wrapper: no command type is an event type.
 */
type Effect = WorkflowEvent | RunCommand

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
  publish(event: WorkflowEvent): void
  /** The run reached a terminal status and every record of it is committed and published. */
  settled(executor: RunExecutor): void
  /** A journal write failed: the executor has stopped; the engine decides what follows. */
  broken(executor: RunExecutor, error: unknown): void
  readonly snapshotEvery: number
}

/**
 * Drives one run: sends events into its actor, journals what the actor records, and — once the
 * journal write that carries them has committed — publishes the records and carries out the
 * actor's commands (start tasks, arm timers, finish). A dependent task therefore never starts,
 * and `task.completed` is never published, before the completion is durable.
 */
export class RunExecutor implements JournalSource, TaskHost {
  readonly runId: string
  readonly wf: CompiledWorkflow
  readonly data: RunData
  record: RunRecord
  readonly #host: ExecutorHost
  readonly #actor: RunActor
  readonly #inspected: boolean
  /** The step the actor emitted for the event it was just sent, until `feedRun` takes it. */
  #emitted: Step | undefined
  #pending: JournalEntry[] = []
  /** Effects waiting for a journal write not yet started; later sends join them. */
  #open: EffectRound<Effect> | undefined
  /** Effects whose records are in the journal write in flight (the writer commits one at a time). */
  #flying: EffectRound<Effect> | undefined
  #snapshotSeq: number
  /**
   * Output records of entries after the last snapshot, newest per key: the store's outputs index
   * serves restores from a snapshot, so each record is written with the snapshot that first
   * covers it, not with its own entry (whose journal page holds it until then).
   */
  readonly #unindexed = new Map<string, JournalEntry>()
  readonly #controllers = new Map<string, AttemptAbort>()
  readonly #timers = new Map<string, unknown>()
  /** Parked `forEach` attempts waiting for a paused run to run again. */
  #onResume: (() => void)[] = []
  /** The run's own deadline (`timeoutMs`). */
  readonly #runTimer: DeadlineTimer
  #stopped = false
  /** Why the run was fenced: it executes nothing more, but what it queued still commits. */
  #fenced: string | undefined
  /** Why the executor stopped: what a send after the stop, or one whose entries it dropped, rejects with. */
  #stopError: SpindleError | undefined
  /** Rejects the sends whose entries are still queued (not yet in a batch) if the executor stops. */
  #drop: { promise: Promise<void>; reject(error: unknown): void } | undefined
  /** Attempts that ended synchronously while a round is carried out, sent after its commands. */
  #endedNow: { taskId: string; controller: AttemptAbort; result: RunEvent }[] | undefined
  /** A new run's record is not stored yet: it goes out in one transaction with its first entries. */
  #recordUnwritten: boolean

  constructor(
    host: ExecutorHost,
    wf: CompiledWorkflow,
    record: RunRecord,
    data: RunData,
    snapshot?: Snapshot<unknown>,
    options: { newRun?: boolean } = {},
  ) {
    this.#recordUnwritten = options.newRun === true
    this.#host = host
    this.#runTimer = new DeadlineTimer(host)
    this.wf = wf
    this.runId = record.runId
    // The run's own objects are shared with views, scopes and subscribers: frozen, never copied.
    deepFreeze(record.input)
    this.record = record
    this.data = data
    this.#actor = startRunActor(machineFor(wf), record.runId, record.createdAt, snapshot, host.inspect)
    this.#inspected = host.inspect !== undefined
    this.#snapshotSeq = this.state.seq
    this.#actor.on('step', ({ step }) => {
      this.#emitted = step
    })
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
    const done = this.#apply({ ...event })
    if (this.#pending.length === 0) return done
    this.#drop ??= dropSignal()
    return Promise.race([done, this.#drop.promise])
  }

  /** Whether a round of effects waits for its journal write or has not been carried out yet. */
  get busy(): boolean {
    return this.#open !== undefined || this.#flying !== undefined
  }

  /** Resolves once the rounds of effects queued now are carried out (or the run broke). */
  idle(): Promise<void> {
    // Rounds are carried out in order: the last one ends after every other.
    const last = this.#open ?? this.#flying
    return last ? last.done.then(ignore, ignore) : Promise.resolve()
  }

  /** For the task runner: progress, logs and item completions while a task works. */
  post(event: RunEvent): void {
    this.#post(event)
  }

  #apply(event: RunEvent): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    if (this.#fenced !== undefined) return Promise.reject(this.#refusal(event))
    return this.#enqueue(event)?.done ?? Promise.resolve()
  }

  #refusal(event: RunEvent): InvalidStateError {
    return new InvalidStateError(
      `Run "${this.runId}" takes no events now: ${this.#fenced}; try again once that is done.`,
      { value: { runId: this.runId, event: event.type } },
    )
  }

  /**
   * Feeds `event` to the run and queues its records and effects; returns the round that carries
   * them out once their journal write commits (undefined when the event changed nothing). The
   * writer reports that write's outcome to `committed` or `failed`, so a failed write breaks the
   * run whether or not anyone awaits the round.
   */
  #enqueue(event: RunEvent): EffectRound<Effect> | undefined {
    const { records, commands } = this.#feed(event)
    if (records.length === 0 && commands.length === 0) return undefined
    this.#host.journal.write(this)
    // Sends whose records go out in the same journal write share one round of effects: the
    // step's records, then its deferred commands, join that round's list.
    let round = this.#open
    if (round === undefined) {
      round = new EffectRound<Effect>()
      this.#open = round
    }
    const deferred = round.commands
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!
      this.#fillOutput(record)
      deepFreeze(record)
      this.#pending.push(record)
      keepData(this.data, record)
      deferred.push(record)
    }
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!
      switch (command.type) {
        case 'abort':
          this.#controllers.get(command.taskId)?.abort(new Error(command.reason))
          this.#controllers.delete(command.taskId)
          break
        case 'disarm':
          this.#disarm(command.taskId)
          break
        case 'disarm-run':
          this.#runTimer.disarm()
          break
        default:
          deferred.push(command)
      }
    }
    return round
  }

  /** The journal write carrying the round in flight committed: carry out its commands. */
  committed(): void {
    const round = this.#flying
    this.#flying = undefined
    if (round === undefined) return
    // Settled first, its waiters go on before the work this round starts: they still see the
    // records published, which happens before any of them runs.
    round.resolve()
    try {
      this.#carryOut(round.commands)
    } catch (failure) {
      // Carrying out a command failed outside any task (the clock could not arm a timer): no
      // run state or caller can hold that failure.
      reportUnhandledError(failure)
    }
  }

  collect(batch: CommitBatch): void {
    // The open round goes with this write, also when it has no records (its commands wait all the same).
    this.#flying = this.#open
    this.#open = undefined
    if (this.#pending.length === 0 || this.#stopped) return
    const pending = this.#pending
    for (let i = 0; i < pending.length; i++) {
      const entry = pending[i]!
      batch.entries.push(entry)
      // A live entry is never rolled back: its output record is made once a snapshot needs it.
      if (entry.type === 'task.completed') this.#unindexed.set(entry.taskId, entry)
      else if (entry.type === 'task.item-completed' || entry.type === 'task.failed') this.#index(entry)
    }
    this.#pending = []
    // The queued sends are bound to this batch now: its outcome is theirs.
    this.#drop = undefined
    const s = this.state
    const wakeAt = wakeTime(s)
    if (s.status === this.record.status && wakeAt === this.record.wakeAt && !this.#recordUnwritten) {
      // The record (and the indexes over it) changes only with the status, or when the run starts
      // or stops being dormant (its `wakeAt`); other writes are fenced.
      const fence = { runId: this.runId, epoch: this.record.epoch }
      if (batch.fences) batch.fences.push(fence)
      else batch.fences = [fence]
    } else {
      this.record = {
        ...this.record,
        status: s.status,
        updatedAt: s.updatedAt,
        seq: s.seq,
        startedAt: s.startedAt,
        endedAt: s.endedAt,
        output: s.status === 'completed' ? this.data.output : undefined,
        error: s.error,
        wakeAt,
      }
      if (wakeAt === undefined) delete this.record.wakeAt
      this.#recordUnwritten = false
      batch.runs.push(this.record)
    }
    // At least four entries per task between snapshots: a snapshot costs O(tasks), so the bytes
    // and time it adds per entry stay constant however large the run.
    const every = Math.max(this.#host.snapshotEvery, 4 * this.wf.tasks.size)
    if (s.seq - this.#snapshotSeq >= every) {
      this.#snapshotSeq = s.seq
      batch.snapshots.push({
        runId: this.runId,
        seq: s.seq,
        at: s.updatedAt,
        snapshot: this.#persisted(),
      })
      const outputs: OutputRecord[] = []
      for (const entry of this.#unindexed.values()) outputs.push(outputRecordOf(entry)!)
      this.#unindexed.clear()
      if (batch.outputs) batch.outputs.push(...outputs)
      else batch.outputs = outputs
    }
  }

  /** Keeps `entry`, if it has an output record, until the next snapshot writes that record. */
  #index(entry: JournalEntry): void {
    const output = entry.rolledBack ? undefined : outputRecordOf(entry)
    if (output) this.#unindexed.set(output.key, entry)
  }

  failed(error: unknown): void {
    this.#pending = []
    const rounds = [this.#flying, this.#open]
    this.#flying = undefined
    this.#open = undefined
    this.#break(error)
    // Their records are lost or will never be written: the sends waiting on them learn why.
    for (const round of rounds) round?.reject(error)
  }

  /** Replays journal entries the restored actor has not seen; records nothing, runs nothing. */
  replay(entries: readonly JournalEntry[]): void {
    // Replayed entries lie after the snapshot: their outputs are not in the index yet.
    for (const entry of entries) this.#index(entry)
    for (const entry of entries) {
      // Entries the actor derived itself from an earlier one are already counted in its seq.
      if (entry.rolledBack || entry.seq <= this.state.seq) continue
      const { seq: _seq, runId: _runId, rolledBack: _rolledBack, ...event } = entry
      this.#feed(event as RunEvent)
    }
    // `#snapshotSeq` stays at the snapshot restored from: a run loaded again and again (a passive
    // one, woken by each signal) still gets a new snapshot every so many entries, so the journal
    // tail a restore replays stays short.
  }

  /**
   * After a restore: restarts in-flight work and re-arms durable timers (guarantees 2 and 4).
   * `workflow.recovered` is recorded only when the run was executing: loading a paused or failed
   * run with nothing in flight, or waking a dormant one (nothing was cut off), changes nothing.
   */
  resumeWork(executor: string): Promise<void> {
    const s = this.state
    const interrupted = this.wf.order.filter((id) => {
      const t = s.tasks[id]!
      return t.status === 'running' || (t.status === 'pending' && t.dispatched)
    })
    const executing =
      (s.status === 'running' && dormantUntil(s) === undefined) ||
      s.status === 'queued' ||
      interrupted.length > 0
    const recorded = executing
      ? this.send({ type: 'workflow.recovered', executor, at: this.now() })
      : Promise.resolve()
    for (const id of this.wf.order) {
      const t = s.tasks[id]!
      const until = deadlineOf(t)
      if (until !== undefined && (t.status === 'retrying' || t.status === 'waiting')) this.#arm(id, until)
    }
    this.#armRun()
    // Every task settled, but the run's end was not recorded before the restart.
    if (s.status === 'running' && s.remaining === 0) this.#finish()
    for (const id of interrupted) {
      const t = s.tasks[id]!
      if (t.status === 'running') this.#start(id)
      else if (t.status === 'pending' && t.dispatched) this.#dispatch(id)
    }
    return recorded
  }

  /**
   * Stops executing: aborts in-flight actions and clears timers, recording nothing. Sends from
   * now on, and those whose entries are still queued, reject with `error`.
   */
  stop(
    reason: string,
    error: SpindleError = new InvalidStateError(`Run "${this.runId}" stopped: ${reason}.`),
  ): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#stopError = error
    this.#pending = []
    this.#drop?.reject(error)
    this.#drop = undefined
    this.#halt(reason)
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
    this.#fenced = reason
    this.#halt(reason)
    await this.idle()
  }

  #halt(reason: string): void {
    for (const controller of this.#controllers.values()) controller.abort(new Error(reason))
    this.#controllers.clear()
    for (const handle of this.#timers.values())
      if (typeof handle !== 'symbol') this.#host.clearTimeout(handle)
    this.#timers.clear()
    this.#runTimer.disarm()
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
  doneItems(taskId: string): ReadonlyMap<number, unknown> {
    return this.data.items.get(taskId) ?? new Map()
  }
  isPaused(): boolean {
    return this.state.status === 'paused'
  }
  onResume(listener: () => void): () => void {
    this.#onResume.push(listener)
    return () => {
      const i = this.#onResume.indexOf(listener)
      if (i >= 0) this.#onResume.splice(i, 1)
    }
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

  // ─── internals ─────────────────────────────────────────────────────────────────────────

  /**
   * What `actor.getPersistedSnapshot()` gives for this machine (no child actors, no history
   * states), without its walk over the whole context looking for actor references: one copy of
   * the context, taken now because the context changes in place afterwards.
   */
  #persisted(): Snapshot<unknown> {
    const snapshot = this.#actor.getSnapshot()
    return {
      status: snapshot.status,
      value: snapshot.value,
      historyValue: {},
      context: structuredClone(snapshot.context),
      children: {},
    } as unknown as Snapshot<unknown>
  }

  /** The step `event` gives; see `feedRun` for which events the actor itself takes. */
  #feed(event: RunEvent): Step {
    return feedRun(this.#actor, this.wf, event, this.#takeEmitted, this.#inspected)
  }

  readonly #takeEmitted = (): Step | undefined => {
    const step = this.#emitted
    this.#emitted = undefined
    return step
  }

  #carryOut(commands: Effect[]): void {
    if (this.#stopped) return
    let settled = false
    this.#endedNow = []
    try {
      for (const command of commands) {
        // Committed records are facts and go out; the work they would start does not, also when
        // a fence or a stop lands while the round is carried out (a subscriber's call).
        if (this.#fenced !== undefined || this.#stopped) {
          if (isRecord(command)) this.#host.publish(command)
          continue
        }
        switch (command.type) {
          case 'dispatch':
            this.#dispatch(command.taskId)
            break
          case 'start':
            this.#run(command.taskId, command.attempt)
            break
          case 'arm':
            this.#arm(command.taskId, command.deadline)
            break
          case 'arm-run':
            this.#armRun()
            break
          case 'finish':
            this.#finish()
            break
          default: {
            const record = command as WorkflowEvent
            this.#host.publish(record)
            if (isTerminal(record)) settled = true
            // Parked items go on once the resume is committed, as tasks it admits do.
            if (record.type === 'workflow.resumed') this.#resumeParked()
          }
        }
      }
    } finally {
      const ended = this.#endedNow
      this.#endedNow = undefined
      for (const { taskId, controller, result } of ended) {
        if (this.#controllers.get(taskId) === controller) this.#controllers.delete(taskId)
        // Aborted after it ended but before it was sent: dropped, as an aborted attempt's result is.
        if (!this.#stopped && !controller.aborted) this.#post(result)
      }
    }
    if (settled && this.#fenced === undefined && isTerminalStatus(this.state.status)) this.#host.settled(this)
  }

  /** Outputs the reducer cannot know: they live in RunData, not in the run state. */
  #fillOutput(event: WorkflowEvent): void {
    if (event.type !== 'task.completed' && event.type !== 'task.item-completed') return
    // A buffered signal's payload (see signal-buffer.ts).
    if (event.signal !== undefined) event.output = this.data.signals.get(event.signal)
    // A `forEach` whose items waited: its items' outputs, in order.
    if (event.type === 'task.completed' && event.items !== undefined) {
      const done = this.data.items.get(event.taskId)
      event.output = Array.from({ length: event.items }, (_, index) => done?.get(index))
    }
  }

  #resumeParked(): void {
    const listeners = this.#onResume
    this.#onResume = []
    for (const listener of listeners) listener()
  }

  #break(error: unknown): void {
    if (this.#stopped) return
    this.stop(
      `journal write failed: ${toErrorInfo(error).message}`,
      error instanceof SpindleError ? error : undefined,
    )
    this.#host.broken(this, error)
  }

  #dispatch(taskId: string): void {
    const task = this.wf.tasks.get(taskId)!
    if (task.when) {
      let verdict: unknown
      try {
        verdict = task.when.evaluate(this.scope(task.when.taskRefs))
        if (typeof verdict !== 'boolean') {
          throw new ExpressionError(
            task.when.source,
            `"when" of task "${taskId}" must give true or false, got ${JSON.stringify(verdict)}.`,
          )
        }
      } catch (error) {
        const attempt = this.state.tasks[taskId]!.attempts + 1
        this.#post({ type: 'task.started', taskId, attempt, at: this.now() })
        this.#post({
          type: 'task.failed',
          taskId,
          attempt,
          error: toErrorInfo(error),
          noRetry: true,
          at: this.now(),
        })
        return
      }
      if (!verdict) {
        this.#post({ type: 'task.skipped', taskId, reason: 'condition', at: this.now() })
        return
      }
    }
    this.#start(taskId)
  }

  /**
   * Starts a dispatched task (or restarts one cut off by a restart) with its next attempt: its
   * action runs once the `task.started` record is committed (the reducer's `start` command).
   */
  #start(taskId: string): void {
    const attempt = this.state.tasks[taskId]!.attempts + 1
    this.#post({ type: 'task.started', taskId, attempt, at: this.now() })
  }

  /** Runs an attempt the journal records as started, unless the run moved on since it was recorded. */
  #run(taskId: string, attempt: number): void {
    const t = this.state.tasks[taskId]!
    if (t.status !== 'running' || t.attempts !== attempt) return
    const controller = new AttemptAbort()
    this.#controllers.set(taskId, controller)
    let result: ReturnType<typeof runTask>
    try {
      result = runTask(this, this.wf.tasks.get(taskId)!, attempt, controller)
    } catch (error) {
      this.#attemptBroke(taskId, attempt, controller, error)
      return
    }
    if (!(result instanceof Promise)) {
      this.#attemptEnded(taskId, controller, result)
      return
    }
    result
      .then(
        (ended) => this.#attemptEnded(taskId, controller, ended),
        (error: unknown) => this.#attemptBroke(taskId, attempt, controller, error),
      )
      .catch(reportUnhandledError)
  }

  #attemptEnded(taskId: string, controller: AttemptAbort, result: RunEvent | undefined): void {
    // An attempt that ended at once, while a round is carried out, is sent after the round's
    // other commands, as an asynchronous one would be: every task the round starts starts first,
    // and the attempt stays abortable until then (an abort drops its result, as it would have).
    if (this.#endedNow && result) {
      this.#endedNow.push({ taskId, controller, result })
      return
    }
    if (this.#controllers.get(taskId) === controller) this.#controllers.delete(taskId)
    if (result && !this.#stopped) this.#post(result)
  }

  /**
   * The runner itself failed (not the action, whose failures it turns into events): the attempt
   * still ends, as a failure, so the run never waits for it forever.
   */
  #attemptBroke(taskId: string, attempt: number, controller: AttemptAbort, error: unknown): void {
    if (this.#controllers.get(taskId) === controller) this.#controllers.delete(taskId)
    if (this.#stopped || controller.aborted) return
    this.#post({ type: 'task.failed', taskId, attempt, error: toErrorInfo(error), at: this.now() })
  }

  #arm(taskId: string, deadline: number): void {
    this.#disarm(taskId)
    const fire = () => {
      this.#timers.delete(taskId)
      this.#post({ type: 'timer.fired', taskId, rand: this.random(), at: Math.max(this.now(), deadline) })
    }
    const wait = deadline - this.now()
    // A deadline that passed (while no engine ran, or a zero delay) fires at once.
    if (wait <= 0) {
      const handle = Symbol(taskId)
      this.#timers.set(taskId, handle)
      queueMicrotask(() => {
        if (this.#timers.get(taskId) === handle) fire()
      })
      return
    }
    this.#timers.set(taskId, this.#host.setTimeout(fire, wait))
  }

  /** Arms the run's deadline while the run can still time out. */
  #armRun(): void {
    const { deadline, timeoutMs = 0, status } = this.state
    if (deadline === undefined || (status !== 'queued' && status !== 'running' && status !== 'paused')) {
      this.#runTimer.disarm()
      return
    }
    this.#runTimer.arm(deadline, () =>
      this.#post({ type: 'workflow.timed-out', deadline, timeoutMs, at: Math.max(this.now(), deadline) }),
    )
  }

  #disarm(taskId: string): void {
    const handle = this.#timers.get(taskId)
    if (handle === undefined) return
    if (typeof handle !== 'symbol') this.#host.clearTimeout(handle)
    this.#timers.delete(taskId)
  }

  #finish(): void {
    let output: unknown
    try {
      output = this.wf.output
        ? this.wf.output.evaluate(this.scope(this.wf.output.taskRefs))
        : Object.fromEntries(this.wf.leaves.map((id) => [id, this.data.outputs.get(id) ?? null]))
    } catch (error) {
      this.#post({ type: 'workflow.failed', error: toErrorInfo(error, 'EXPRESSION_FAILED'), at: this.now() })
      return
    }
    this.#post({ type: 'workflow.completed', output, at: this.now() })
  }

  /**
   * Sends an event from inside the run; a failed write stops the run through `#break`. It needs
   * no promise of its own: the round its records join breaks the run when their write fails, and
   * once the executor has stopped there is nothing left to break.
   */
  #post(event: RunEvent): void {
    if (this.#stopped) return
    if (this.#fenced !== undefined) {
      this.#break(this.#refusal(event))
      return
    }
    this.#enqueue(event)
  }
}

/** The record's `wakeAt` for a run in this state (see `RunRecord.wakeAt`). */
function wakeTime(state: RunState): number | undefined {
  const until = dormantUntil(state)
  return until === 'signal' ? Number.POSITIVE_INFINITY : until
}

function ignore(): void {}

function dropSignal(): { promise: Promise<void>; reject(error: unknown): void } {
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((_, rej) => {
    reject = rej
  })
  return { promise, reject }
}

/** Whether an effect is a record: commands are only ever the ones the executor defers. */
function isRecord(effect: Effect): effect is WorkflowEvent {
  switch (effect.type) {
    case 'dispatch':
    case 'start':
    case 'arm':
    case 'arm-run':
    case 'finish':
    case 'abort':
    case 'disarm':
    case 'disarm-run':
      return false
    default:
      return true
  }
}

function isTerminal(event: WorkflowEvent): boolean {
  return (
    event.type === 'workflow.completed' ||
    event.type === 'workflow.failed' ||
    event.type === 'workflow.cancelled'
  )
}

export function isTerminalStatus(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled'
}
