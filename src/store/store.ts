import type { ErrorInfo, HistoryEntry, RunStatus, WorkflowDefinition } from '../types'

/**
 * The storage port. The engine keeps everything durable through it: definitions, run records,
 * the per-run journal and snapshots. `memoryStore()` and `indexedDbStore()` implement it.
 *
 * Every method either completes or rejects with a `StorageError` (`STORAGE_FAILED`), or a
 * `StaleExecutorError` when a fenced write meets a newer epoch. A rejected `commit` wrote nothing.
 * Values are stored as structured clones: a caller may mutate what it passed to `putDefinition`
 * and `createRun` afterwards, and what it reads. `commit` takes its batch over instead: the
 * journal writer hands it fresh objects and never touches them again, so a store may keep them
 * without a copy (the memory store does; copying every small batch was its largest cost).
 */
export interface Store {
  /** Names the database; part of the Web Lock names (`spindle:<name>:run:<runId>`). */
  readonly name: string

  putDefinition(record: StoredDefinition): Promise<void>
  /** Without `version`: the highest semver version registered. */
  getDefinition(id: string, version?: string): Promise<StoredDefinition | undefined>
  /** The highest semver version registered under `id`, without reading the definition. */
  latestVersion(id: string): Promise<string | undefined>
  listDefinitions(): Promise<StoredDefinition[]>
  /** Without `version`: every version. Resolves to the number of versions deleted. */
  deleteDefinition(id: string, version?: string): Promise<number>

  /** Creates a run record; rejects with `ArgumentError` (`INVALID_ARGUMENT`) if the run id exists. */
  createRun(record: RunRecord): Promise<void>
  getRun(runId: string): Promise<RunRecord | undefined>
  /**
   * The runs `query` selects in one order, newest first by `createdAt`, runs created at the same
   * time by `runId`, highest first: a page that resumes `after` the last run of the previous
   * one neither skips nor repeats a run.
   */
  listRuns(query?: RunQuery): Promise<RunRecord[]>
  /**
   * Takes over a run for `executor`: increments its `epoch` and returns the updated record.
   * From then on, writes fenced with an older epoch are refused.
   */
  claimRun(runId: string, executor: string): Promise<RunRecord>
  /** `claimRun` for many runs in one transaction (recovery); runs that do not exist are left out. */
  claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]>

  /**
   * Writes a batch in one transaction: journal entries, run records, snapshots. For every run
   * record and fence in the batch, the stored epoch must equal the given `epoch`, or the whole
   * batch is refused with `StaleExecutorError`. An entry's `seq` must come after every stored
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
   * Rollback: marks journal entries with `seq > afterSeq` as rolled back and deletes the snapshots
   * and output records after it, fenced by `epoch` like `commit`.
   */
  rollBack(runId: string, afterSeq: number, epoch: number): Promise<void>

  close(): Promise<void>
}

export interface StoredDefinition {
  id: string
  version: string
  name?: string
  description?: string
  schemaVersion: string
  migratedFrom?: string
  registeredAt: number
  definition: WorkflowDefinition
}

/** What `Store.listRuns` selects; every field narrows it. */
export interface RunQuery {
  /** Any of these statuses (an empty list selects nothing). */
  status?: readonly RunStatus[]
  definitionId?: string
  parentRunId?: string
  /** Exclusive lower bound of `createdAt`. */
  createdAfter?: number
  /** Exclusive upper bound of `createdAt`. */
  createdBefore?: number
  /** Only the runs that come after this one in the order (it need not exist any more). */
  after?: { createdAt: number; runId: string }
  /** At most this many (≥ 0). Default: all. */
  limit?: number
}

export interface RunRecord {
  runId: string
  definitionId: string
  version: string
  status: RunStatus
  createdAt: number
  updatedAt: number
  input: Record<string, unknown>
  output?: unknown
  error?: ErrorInfo
  principal?: string
  /** The run that started this one as a child. */
  parentRunId?: string
  /** When the run left `queued`. */
  startedAt?: number
  /** When the run ended (completed, failed or cancelled). */
  endedAt?: number
  /** Fencing token: incremented by every `claimRun`. */
  epoch: number
  /** Who holds the run now. */
  executor?: string
  /** The journal position and time of the last status change (the record is written only then). */
  seq: number
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

/**
 * A journal entry that carries data a restored run needs (a task's output, one `forEach` item's
 * output, the changes to `ctx.state`), kept a second time under `[runId, key]` and written in the
 * same transaction as the entry: restoring a run reads these and the journal after its snapshot.
 */
export interface OutputRecord {
  runId: string
  /** The task id, or `<taskId>[<index>]` for one item of a `forEach` task. */
  key: string
  seq: number
  /** A `task.completed`, a `task.item-completed`, or a `task.failed` under `onError: 'continue'`. */
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
