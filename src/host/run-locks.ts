import type { RunLock } from './locks'

/**
 * The Web Locks of the runs an engine executes, and those it is giving up: the browser frees a
 * Web Lock a moment after its release, so taking a run again waits for `releasing` first.
 */
export class RunLocks {
  readonly #held = new Map<string, RunLock>()
  readonly #releasing = new Map<string, Promise<void>>()

  /**
   * Keeps the lock of a run made live. `onLost` runs if another executor steals it while it is
   * held here (not after `release`, nor once another lock of the run replaced it).
   */
  hold(runId: string, lock: RunLock, onLost: () => void): void {
    this.#held.set(runId, lock)
    lock.lost.then(() => {
      if (this.#held.get(runId) !== lock) return
      this.#held.delete(runId)
      onLost()
    })
  }

  /** Whether this engine holds the run's lock. */
  holds(runId: string): boolean {
    return this.#held.has(runId)
  }

  /** Whether `lock` is the one held for the run. */
  isHeld(runId: string, lock: RunLock): boolean {
    return this.#held.get(runId) === lock
  }

  /** Gives the run's lock up, if held; `releasing` resolves once it is free. */
  release(runId: string): void {
    const lock = this.#held.get(runId)
    if (!lock) return
    this.#held.delete(runId)
    // `release()` never rejects: a lock the browser dropped counts as released.
    const released = lock.release().finally(() => {
      if (this.#releasing.get(runId) === released) this.#releasing.delete(runId)
    })
    this.#releasing.set(runId, released)
  }

  /** Resolves once the run's lock given up here is free (at once when none is on its way). */
  releasing(runId: string): Promise<void> | undefined {
    return this.#releasing.get(runId)
  }

  /** Gives every lock up; resolves once all are free. */
  async releaseAll(): Promise<void> {
    for (const runId of [...this.#held.keys()]) this.release(runId)
    await Promise.all(this.#releasing.values())
  }
}
