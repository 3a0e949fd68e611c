import type { Subject } from 'rxjs'
import { StorageAlerts } from '../core/monitor/storage-alerts'
import { isQuotaError, StorageError } from '../errors'
import type { JournalOutcomes } from '../runtime/journal'
import type { CommitBatch } from '../store/store'
import type { Alert } from '../types'

/**
 * How long after a quota failure new runs are refused without trying: past it, the next start
 * tries its write, and that write is the probe (a failed one writes nothing either).
 */
export const DISK_FULL_RETRY_MS = 30_000

/** What the disk watch needs from its engine. */
export interface DiskFullHost {
  readonly alerts: Subject<Alert>
  now(): number
}

/**
 * What the engine knows of its storage quota: a write that failed because the disk is full marks
 * it full (and alerts once); a probe write that commits afterwards (a resume, a run's start)
 * clears it (and alerts that space is back). While it is full, new runs are refused with the
 * quota error instead of being written, for `DISK_FULL_RETRY_MS` after the last quota failure.
 */
export class DiskFull implements JournalOutcomes {
  readonly #host: DiskFullHost
  readonly #alerts = new StorageAlerts()
  /** The quota failure that marked the disk full, and when; absent while writes succeed. */
  #failure: { error: StorageError; at: number } | undefined

  constructor(host: DiskFullHost) {
    this.#host = host
  }

  /** Whether the last write the engine knows of failed for quota. */
  get full(): boolean {
    return this.#failure !== undefined
  }

  /** A write committed: space is back when it was a probe (see `isStorageProbe`). */
  written(batch: CommitBatch): void {
    if (!this.#failure) return
    const alert = this.#alerts.written(batch.entries, this.#host.now())
    if (!alert) return
    this.#failure = undefined
    this.#host.alerts.next(alert)
  }

  /** A write failed: when for quota, the disk is full from now on. */
  failed(error: unknown): void {
    if (!isQuotaError(error)) return
    const at = this.#host.now()
    this.#failure = { error: quotaError(error), at }
    const alert = this.#alerts.quotaFailed(at)
    if (alert) this.#host.alerts.next(alert)
  }

  /**
   * Throws the quota error when the disk was found full less than `DISK_FULL_RETRY_MS` ago:
   * `what` (a start) would only fail to write. Later, the call goes on and its write tells.
   */
  refuseNew(what: string): void {
    const failure = this.#failure
    if (!failure || this.#host.now() - failure.at >= DISK_FULL_RETRY_MS) return
    throw new StorageError(
      `${what} refused: the storage quota is used up (${failure.error.message}). Free space (purge ended runs, clear caches) or call requestPersistence(); new runs are accepted again once a write succeeds (resume a paused run) or ${DISK_FULL_RETRY_MS / 1000} s after the last quota failure.`,
      { reason: 'quota', value: { what }, cause: failure.error },
    )
  }
}

function quotaError(error: unknown): StorageError {
  if (error instanceof StorageError) return error
  return new StorageError(`The store could not write: ${String(error)}`, { reason: 'quota', cause: error })
}
