import type { Subject } from 'rxjs'
import { isQuotaError, StorageError } from '../errors'
import type { JournalOutcomes } from '../runtime/journal'
import type { CommitBatch, JournalEntry } from '../store/store'
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
 * it full (and alerts once); any write that commits afterwards clears it (and alerts that space is
 * back). While it is full, new runs are refused with the quota error instead of being written.
 */
export class DiskFull implements JournalOutcomes {
  readonly #host: DiskFullHost
  /** The quota failure that marked the disk full, and when; absent while writes succeed. */
  #failure: { error: StorageError; at: number } | undefined

  constructor(host: DiskFullHost) {
    this.#host = host
  }

  /** Whether the last write the engine knows of failed for quota. */
  get full(): boolean {
    return this.#failure !== undefined
  }

  /**
   * A write committed. Space is back when it was a probe: a resume, or a run's start. The
   * entries of runs going on (and the pauses and restarts that followed the failure) are small
   * and may fit on a nearly full disk: they prove nothing about the next run.
   */
  written(batch: CommitBatch): void {
    if (!this.#failure || !batch.entries.some(isProbe)) return
    this.#failure = undefined
    this.#alert('healthy', 'critical', 'Storage writes succeed again: space is back; new runs are accepted.')
  }

  /** A write failed: when for quota, the disk is full from now on. */
  failed(error: unknown): void {
    if (!isQuotaError(error)) return
    const first = this.#failure === undefined
    const at = this.#host.now()
    this.#failure = { error: quotaError(error), at }
    if (first)
      this.#alert(
        'critical',
        'healthy',
        'The storage quota is used up: running runs that could not write are paused, new runs are refused. Free space (purge ended runs, clear caches) or call requestPersistence(), then resume the paused runs.',
      )
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

  #alert(level: Alert['level'], previous: Alert['level'], message: string): void {
    this.#host.alerts.next({
      kind: 'storage',
      reason: 'quota',
      at: this.#host.now(),
      level,
      previous,
      score: level === 'healthy' ? 100 : 0,
      message,
    })
  }
}

function isProbe(entry: JournalEntry): boolean {
  return (
    entry.type === 'workflow.resumed' || entry.type === 'workflow.started' || entry.type === 'workflow.queued'
  )
}

function quotaError(error: unknown): StorageError {
  if (error instanceof StorageError) return error
  return new StorageError(`The store could not write: ${String(error)}`, { reason: 'quota', cause: error })
}
