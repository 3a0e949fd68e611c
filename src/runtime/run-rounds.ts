import type { Snapshot } from 'xstate'
import { deepFreeze } from '../boundary'
import { dormantUntil } from '../core/dormancy'
import { eventWaitTypes } from '../core/event-waits'
import { keepData, type RunData } from '../core/run-data'
import { feedRun, type RunActor } from '../core/run-machine'
import type { RunEvent, Step } from '../core/run-reducer'
import { outputRecordOf } from '../store/output-record'
import type { CommitBatch, JournalEntry, OutputRecord, RunRecord } from '../store/store'
import type { CompiledWorkflow, RunState, WorkflowEvent } from '../types'
import { EffectRound } from './effect-round'
import type { JournalSource, JournalWriter } from './journal'
import type { Effect, RunCommands } from './run-commands'

/** What the commit rounds need from the engine. */
export interface RoundsHost {
  readonly journal: JournalWriter
  readonly snapshotEvery: number
}

/**
 * The commit rounds of one run: feeds events to its actor, queues the records they give for the
 * journal, and groups their effects in rounds carried out once the write that carries them
 * commits. Also keeps the run record, the snapshots and the outputs index in step with the run.
 */
export class RunRounds {
  /** The run's record as last written (or about to be written with the next batch). */
  record: RunRecord
  readonly #host: RoundsHost
  /** What the journal writer collects from: the run's executor. */
  readonly #source: JournalSource
  readonly #commands: RunCommands
  readonly #wf: CompiledWorkflow
  readonly #data: RunData
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
  #stopped = false
  /** Rejects the sends whose entries are still queued (not yet in a batch) if the executor stops. */
  #drop: { promise: Promise<void>; reject(error: unknown): void } | undefined
  /** A new run's record is not stored yet: it goes out in one transaction with its first entries. */
  #recordUnwritten: boolean

  constructor(
    host: RoundsHost,
    source: JournalSource,
    commands: RunCommands,
    wf: CompiledWorkflow,
    record: RunRecord,
    data: RunData,
    actor: RunActor,
    inspected: boolean,
    newRun: boolean,
  ) {
    this.#host = host
    this.#source = source
    this.#commands = commands
    this.#wf = wf
    this.record = record
    this.#data = data
    this.#actor = actor
    this.#inspected = inspected
    this.#recordUnwritten = newRun
    this.#snapshotSeq = this.#state.seq
    actor.on('step', ({ step }) => {
      this.#emitted = step
    })
  }

  get #state(): RunState {
    return this.#actor.getSnapshot().context
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

  /** `done`, or the stop's error if the executor stops while the send's entries are still queued. */
  bound(done: Promise<void>): Promise<void> {
    if (this.#pending.length === 0) return done
    this.#drop ??= dropSignal()
    return Promise.race([done, this.#drop.promise])
  }

  /**
   * Feeds `event` to the run and queues its records and effects; returns the round that carries
   * them out once their journal write commits (undefined when the event changed nothing). The
   * writer reports that write's outcome to the source's `committed` or `failed`, so a failed
   * write breaks the run whether or not anyone awaits the round.
   */
  enqueue(event: RunEvent): EffectRound<Effect> | undefined {
    const { records, commands } = this.feed(event)
    if (records.length === 0 && commands.length === 0) return undefined
    this.#host.journal.write(this.#source)
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
      keepData(this.#data, record)
      deferred.push(record)
    }
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!
      if (!this.#commands.carryOutNow(command)) deferred.push(command)
    }
    return round
  }

  /** The round whose records the write in flight carried, now taken out of it. */
  takeFlying(): EffectRound<Effect> | undefined {
    const round = this.#flying
    this.#flying = undefined
    return round
  }

  /** Drops every queued entry and round (their write failed or never will happen); returns the rounds. */
  drain(): (EffectRound<Effect> | undefined)[] {
    this.#pending = []
    const rounds = [this.#flying, this.#open]
    this.#flying = undefined
    this.#open = undefined
    return rounds
  }

  /** See `JournalSource.collect`. */
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
      if (entry.type === 'task.completed' || entry.type === 'task.cached')
        this.#unindexed.set(entry.taskId, entry)
      else if (
        entry.type === 'task.item-completed' ||
        entry.type === 'task.failed' ||
        entry.type === 'workflow.forked'
      )
        this.#index(entry)
    }
    this.#pending = []
    // The queued sends are bound to this batch now: its outcome is theirs.
    this.#drop = undefined
    const s = this.#state
    const wakeAt = wakeTime(s)
    const eventWaits = eventWaitTypes(s, this.#wf)
    if (
      s.status === this.record.status &&
      wakeAt === this.record.wakeAt &&
      sameTypes(eventWaits, this.record.eventWaits) &&
      !this.#recordUnwritten
    ) {
      // The record (and the indexes over it) changes only with the status, or when the run starts
      // or stops being dormant (its `wakeAt`); other writes are fenced.
      const fence = { runId: this.record.runId, epoch: this.record.epoch }
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
        output: s.status === 'completed' ? this.#data.output : undefined,
        error: s.error,
        wakeAt,
        eventWaits,
      }
      if (wakeAt === undefined) delete this.record.wakeAt
      if (eventWaits === undefined) delete this.record.eventWaits
      this.#recordUnwritten = false
      batch.runs.push(this.record)
    }
    // At least four entries per task between snapshots: a snapshot costs O(tasks), so the bytes
    // and time it adds per entry stay constant however large the run.
    const every = Math.max(this.#host.snapshotEvery, 4 * this.#wf.tasks.size)
    if (s.seq - this.#snapshotSeq >= every) {
      this.#snapshotSeq = s.seq
      batch.snapshots.push({
        runId: this.record.runId,
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

  /** Replays journal entries the restored actor has not seen; records nothing, runs nothing. */
  replay(entries: readonly JournalEntry[]): void {
    // Replayed entries lie after the snapshot: their outputs are not in the index yet.
    for (const entry of entries) this.#index(entry)
    for (const entry of entries) {
      // Entries the actor derived itself from an earlier one are already counted in its seq.
      if (entry.rolledBack || entry.seq <= this.#state.seq) continue
      const { seq: _seq, runId: _runId, rolledBack: _rolledBack, ...event } = entry
      this.feed(event as RunEvent)
    }
    // `#snapshotSeq` stays at the snapshot restored from: a run loaded again and again (a passive
    // one, woken by each signal) still gets a new snapshot every so many entries, so the journal
    // tail a restore replays stays short.
  }

  /** Queues nothing more; the sends whose entries were still queued reject with `error`. */
  stop(error: unknown): void {
    this.#stopped = true
    this.#pending = []
    this.#drop?.reject(error)
    this.#drop = undefined
  }

  /** The step `event` gives; see `feedRun` for which events the actor itself takes. */
  feed(event: RunEvent): Step {
    return feedRun(this.#actor, this.#wf, event, this.#takeEmitted, this.#inspected)
  }

  readonly #takeEmitted = (): Step | undefined => {
    const step = this.#emitted
    this.#emitted = undefined
    return step
  }

  /** Keeps `entry`, if it has an output record, until the next snapshot writes that record. */
  #index(entry: JournalEntry): void {
    const output = entry.rolledBack ? undefined : outputRecordOf(entry)
    if (output) this.#unindexed.set(output.key, entry)
  }

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

  /** Outputs the reducer cannot know: they live in RunData, not in the run state. */
  #fillOutput(event: WorkflowEvent): void {
    if (event.type !== 'task.completed' && event.type !== 'task.item-completed') return
    // A buffered signal's payload (see signal-buffer.ts).
    if (event.signal !== undefined) event.output = this.#data.signals.get(event.signal)
    // A `forEach` whose items waited: its items' outputs, in order.
    if (event.type === 'task.completed' && event.items !== undefined) {
      const done = this.#data.items.get(event.taskId)
      event.output = Array.from({ length: event.items }, (_, index) => done?.get(index))
    }
  }
}

/** The record's `wakeAt` for a run in this state (see `RunRecord.wakeAt`). */
function wakeTime(state: RunState): number | undefined {
  const until = dormantUntil(state)
  return until === 'signal' ? Number.POSITIVE_INFINITY : until
}

/** Whether two `RunRecord.eventWaits` lists (sorted) hold the same types. */
function sameTypes(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.length === b.length && a.every((type, i) => type === b[i])
}

function ignore(): void {}

function dropSignal(): { promise: Promise<void>; reject(error: unknown): void } {
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((_, rej) => {
    reject = rej
  })
  return { promise, reject }
}
