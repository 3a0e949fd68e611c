import type { ErrorInfo, RunFilter, RunStatus, WorkflowDefinition, WorkflowEvent } from '../types'

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

  /**
   * Adds a definition version. Versions are immutable: if `id`@`version` is stored already, the
   * call writes nothing and rejects with `ArgumentError` (`INVALID_ARGUMENT`).
   */
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
  /** Newest first (by `createdAt`). */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>
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
   * batch is refused with `StaleExecutorError`.
   */
  commit(batch: CommitBatch): Promise<void>
  /** Journal entries of a run with `seq > afterSeq` (default: all), in `seq` order. */
  readJournal(runId: string, afterSeq?: number): Promise<JournalEntry[]>
  /** The newest snapshot of a run with `seq <= maxSeq` (default: the newest). */
  latestSnapshot(runId: string, maxSeq?: number): Promise<SnapshotRecord | undefined>
  /**
   * Rollback: marks journal entries with `seq > afterSeq` as rolled back and deletes snapshots
   * after it, fenced by `epoch` like `commit`.
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
  /** Fencing token: incremented by every `claimRun`. */
  epoch: number
  /** Who holds the run now. */
  executor?: string
  /** The journal position and time of the last status change (the record is written only then). */
  seq: number
}

/** A journal entry is the event itself; `rolledBack` marks entries undone by a rollback. */
export type JournalEntry = WorkflowEvent & { rolledBack?: true }

export interface SnapshotRecord {
  runId: string
  /** The journal position the snapshot reflects. */
  seq: number
  at: number
  /** `actor.getPersistedSnapshot()` of the run actor. */
  snapshot: unknown
}

export interface CommitBatch {
  entries: JournalEntry[]
  /** Run records to write (each fenced by its own `epoch`). */
  runs: RunRecord[]
  snapshots: SnapshotRecord[]
  /**
   * Runs whose stored epoch must match, whose record is not rewritten: the engine rewrites a
   * run record (and its indexes) only when its status changes, and fences every other batch.
   */
  fences?: { runId: string; epoch: number }[]
}
