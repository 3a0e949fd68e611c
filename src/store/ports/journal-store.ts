import type { HistoryEntry } from '../../types'
import type { RunRecord } from './run-store'

/**
 * The journal port: each run's append-only journal, its snapshots and its output records, all
 * keyed by `[runId, …]`. Every write is fenced by the run's `epoch` (see `RunStore.claimRun`).
 */
export interface JournalStore {
  /**
   * Writes a batch in one transaction: journal entries, run records, snapshots. For every run
   * record and fence in the batch, the stored epoch must equal the given `epoch`, or the whole
   * batch is refused with `StaleExecutorError`: no read returns anything of it afterwards (a
   * store may keep the journal entries of a refused batch that writes nothing else, unread). An entry's `seq` must come after every stored
   * `seq` of its run (it is never reused). A `workflow.rolled-back` entry also does what
   * `rollBack(runId, toSeq)` does, in the same transaction.
   */
  commit(batch: CommitBatch): Promise<void>
  /** Journal entries of a run with `seq > afterSeq` (default: all), in `seq` order. */
  readJournal(runId: string, afterSeq?: number): Promise<JournalEntry[]>
  /** The journal entries of a run at the given positions (those that exist), in `seq` order. */
  readEntries(runId: string, seqs: readonly number[]): Promise<JournalEntry[]>
  /**
   * The output records of a run with `seq <= maxSeq` (default: all), in `seq` order: what a
   * restore needs besides the snapshot, without reading the journal before it.
   */
  readOutputs(runId: string, maxSeq?: number): Promise<OutputRecord[]>
  /** The newest snapshot of a run with `seq <= maxSeq` (default: the newest). */
  latestSnapshot(runId: string, maxSeq?: number): Promise<SnapshotRecord | undefined>
  /**
   * What restoring each run needs, for many runs in one read (recovery): its newest snapshot,
   * its output records up to that snapshot and its journal entries after it. One `RestorePoint`
   * per run id, in the order given; a run with nothing stored gets an empty one. It reads the
   * store as left by every write and claim asked for before it, even those still in flight
   * (IndexedDB orders transactions so): recovery asks for it right after `claimRuns`.
   */
  readRestorePoints(runIds: readonly string[]): Promise<RestorePoint[]>
  /**
   * Rollback: marks journal entries with `seq > afterSeq` as rolled back and deletes the snapshots
   * and output records after it, fenced by `epoch` like `commit`.
   */
  rollBack(runId: string, afterSeq: number, epoch: number): Promise<void>
  /**
   * Purge: deletes each of these runs that is ended (completed, failed or cancelled) and has no
   * open approval, with everything stored under its id (run record, journal, snapshots, output
   * records, approvals), in one transaction; checked in that transaction, so a run that a
   * rollback reopened meanwhile is kept. Resolves to the ids deleted; unknown ids are skipped.
   */
  deleteRuns(runIds: readonly string[]): Promise<string[]>
}

/** A journal entry is the event itself; `rolledBack` marks entries undone by a rollback. */
export type JournalEntry = HistoryEntry

export interface SnapshotRecord {
  runId: string
  /** The journal position the snapshot reflects. */
  seq: number
  at: number
  /** `actor.getPersistedSnapshot()` of the run actor. */
  snapshot: unknown
}

/** What `readRestorePoints` reads for one run. */
export interface RestorePoint {
  runId: string
  /** The newest snapshot, if any. */
  snapshot: SnapshotRecord | undefined
  /** The output records with `seq <= snapshot.seq`, in `seq` order (none without a snapshot). */
  outputs: OutputRecord[]
  /** The journal entries after the snapshot (all of them without one), in `seq` order. */
  entries: JournalEntry[]
}

/**
 * A journal entry that carries data a restored run needs (a task's output, one `forEach` item's
 * output, the changes to `ctx.state`), kept a second time under `[runId, key]`: restoring a run
 * reads these up to its snapshot and the journal after it. The engine writes each record in the
 * same transaction as the first snapshot after its entry, so a step without a snapshot writes none.
 */
export interface OutputRecord {
  runId: string
  /** The task id, `<taskId>[<index>]` for one item of a `forEach` task, or `workflow.forked` for what a fork carried over. */
  key: string
  seq: number
  /** A `task.completed` or `task.cached`, a `task.item-completed`, a `task.failed` under `onError: 'continue'`, or a `workflow.forked`. */
  entry: JournalEntry
}

export interface CommitBatch {
  entries: JournalEntry[]
  /** Output records of the batch's entries (see `OutputRecord`); none when absent. */
  outputs?: OutputRecord[]
  /** Run records to write (each fenced by its own `epoch`). */
  runs: RunRecord[]
  snapshots: SnapshotRecord[]
  /**
   * Runs whose stored epoch must match, whose record is not rewritten: the engine rewrites a
   * run record (and its indexes) only when its status changes, and fences every other batch.
   */
  fences?: { runId: string; epoch: number }[]
}
