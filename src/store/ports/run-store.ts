import type { ErrorInfo, RunFilter, RunStatus } from '../../types'

/**
 * The runs port: one record per run, keyed by `runId`, carrying the fencing `epoch` that every
 * journal write of the run is checked against (see `JournalStore.commit`).
 */
export interface RunStore {
  /** Creates a run record; rejects with `ArgumentError` (`INVALID_ARGUMENT`) if the run id exists. */
  createRun(record: RunRecord): Promise<void>
  getRun(runId: string): Promise<RunRecord | undefined>
  /** Newest first (by `createdAt`). */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>
  /**
   * Takes over a run for `executor`: increments its `epoch` and returns the updated record.
   * From then on, writes fenced with an older epoch are refused. Rejects with `NotFoundError`
   * (`NOT_FOUND`) for a run that does not exist.
   */
  claimRun(runId: string, executor: string): Promise<RunRecord>
  /** `claimRun` for many runs in one transaction (recovery); runs that do not exist are left out. */
  claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]>
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
