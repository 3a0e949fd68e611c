import type { Alert } from '../../types'

/** A journal entry or published event, as far as the storage watch reads it. */
interface Recorded {
  type: string
  error?: { code: string; reason?: string }
}

/**
 * Whether a committed record proves there is space: a resume or a run's start. The entries of
 * runs going on (and the pauses and restarts that follow a failure) are small and may fit on a
 * nearly full disk: they prove nothing about the next run.
 */
export function isStorageProbe(entry: Recorded): boolean {
  return (
    entry.type === 'workflow.resumed' || entry.type === 'workflow.started' || entry.type === 'workflow.queued'
  )
}

/** Whether a record is a run pausing because its journal write hit the storage quota. */
export function isQuotaPause(entry: Recorded): boolean {
  return (
    entry.type === 'workflow.paused' &&
    entry.error?.code === 'STORAGE_FAILED' &&
    entry.error.reason === 'quota'
  )
}

/**
 * Whether the storage quota is known used up, and the alerts when that changes: `critical` on
 * the first quota failure, `healthy` on the first probe write after it. The same in the engine
 * (from its writes) and on the page of a worker engine (from the events it publishes).
 */
export class StorageAlerts {
  #full = false

  get full(): boolean {
    return this.#full
  }

  /** A write failed for quota: the alert, if the disk was not known full already. */
  quotaFailed(at: number): Alert | undefined {
    if (this.#full) return undefined
    this.#full = true
    return {
      kind: 'storage',
      reason: 'quota',
      at,
      level: 'critical',
      previous: 'healthy',
      score: 0,
      message:
        'The storage quota is used up: runs that could not write are paused, new runs are refused. Free space (purge ended runs, clear caches) or call requestPersistence(), then resume the paused runs.',
    }
  }

  /** Records committed: the alert that space is back, when one of them is a probe after a failure. */
  written(entries: readonly Recorded[], at: number): Alert | undefined {
    if (!this.#full || !entries.some(isStorageProbe)) return undefined
    this.#full = false
    return {
      kind: 'storage',
      reason: 'quota',
      at,
      level: 'healthy',
      previous: 'critical',
      score: 100,
      message: 'Storage writes succeed again: space is back; new runs are accepted.',
    }
  }
}
