import type { ErrorInfo, RunStatus } from '../../types'

/**
 * The runs port: one record per run, keyed by `runId`, carrying the fencing `epoch` that every
 * journal write of the run is checked against (see `JournalStore.commit`).
 */
export interface RunStore {
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
   * From then on, writes fenced with an older epoch are refused. Rejects with `NotFoundError`
   * (`NOT_FOUND`) for a run that does not exist.
   */
  claimRun(runId: string, executor: string): Promise<RunRecord>
  /** `claimRun` for many runs in one transaction (recovery); runs that do not exist are left out. */
  claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]>
  /**
   * The passive runs that wake at a time (a finite `wakeAt`), earliest first (runs waking at the
   * same time by `runId`), at most `limit` (≥ 0; default all): what the engine's deadline heap
   * loads, from an index, without reading any other run.
   */
  listWakeups(limit?: number): Promise<Wakeup[]>
  /**
   * The ids of the runs whose record's `eventWaits` holds `type`: the runs an emitted event of
   * that type may be for, found from an index, without reading any other run.
   */
  listEventWaiters(type: string): Promise<string[]>
  /**
   * Records that a stored run record is in `formatVersion` (a migration wrote it), changing
   * nothing else of it, in one transaction. False when there is no such run.
   */
  setRunFormat(runId: string, formatVersion: number): Promise<boolean>
}

/** A passive run and the time it wakes at. */
export interface Wakeup {
  runId: string
  wakeAt: number
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
  /** The storage format the record was written in (`FORMAT_VERSION`); absent: format 1. */
  formatVersion?: number
  definitionId: string
  version: string
  /**
   * The content digest of the definition the run started on (`definitionDigest`): an engine
   * restoring the run refuses a version stored with other content. Absent on runs stored before
   * digests were recorded; those are not checked.
   */
  definitionDigest?: string
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
  /**
   * Set while the run is passive (its tasks all wait, it has left memory): the time it wakes at
   * (ms since epoch), or `Infinity` when only a signal or a control call wakes it. Indexed.
   */
  wakeAt?: number
  /**
   * The event types the run's open `wait-for-event` tasks with a `match` wait for (sorted), while
   * it has any: written with the entries that open and end those waits. Indexed (`listEventWaiters`).
   */
  eventWaits?: string[]
}
