import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { EngineScope } from './engine-scope'
import { type HeldLock, lockName, lockWhenFree } from './locks'

/**
 * Background work of a database that one engine does for all (waking passive runs at their
 * deadlines, later schedules and retention): it runs only in the holder of the leader lock.
 */
export interface HostService {
  readonly name: string
  /**
   * Starts the service. `signal` aborts when this engine stops leading (the lock was lost, or
   * the engine closes); the service then stops at once and does nothing more.
   */
  start(signal: AbortSignal): void
}

/**
 * Holds the Web Lock `spindle:<db>:leader` while the engine is open, and runs the registered
 * services only while it holds it: they start when the lock is granted and stop when it is lost
 * or the engine closes. Engines that do not lead wait for the lock, so when the leader closes
 * (or its tab dies) the next one takes over.
 */
export class HostServices {
  readonly #name: string
  readonly #scope: EngineScope
  readonly #services: HostService[] = []
  #lock: HeldLock | undefined
  /** Aborted when this term of leadership ends. */
  #term: AbortController | undefined

  constructor(db: string, scope: EngineScope) {
    this.#name = lockName(db, 'leader')
    this.#scope = scope
  }

  /** Whether this engine holds the leader lock now. */
  get leading(): boolean {
    return this.#term !== undefined
  }

  /** Adds a service: it starts at once if this engine leads, else when it comes to lead. */
  register(service: HostService): void {
    this.#services.push(service)
    if (this.#term) this.#start(service, this.#term.signal)
  }

  /** Asks for the leader lock; leads once it is granted. */
  open(): void {
    if (this.#scope.closed) return
    lockWhenFree(this.#name, this.#scope.signal).then(
      (lock) => this.#lead(lock),
      (error: unknown) => {
        // The engine closed while waiting: the expected end of the wait.
        if (!this.#scope.closed) reportUnhandledError(error)
      },
    )
  }

  /** Stops the services and gives the leader lock up; resolves once it is free for others. */
  async close(): Promise<void> {
    const lock = this.#lock
    this.#stepDown()
    await lock?.release()
  }

  #lead(lock: HeldLock): void {
    if (this.#scope.closed) {
      lock.release().catch(reportUnhandledError)
      return
    }
    this.#lock = lock
    const term = new AbortController()
    this.#term = term
    lock.lost.then(() => {
      if (this.#lock !== lock) return
      // Another context took the lock: stop now, then wait to lead again.
      this.#stepDown()
      this.open()
    })
    for (const service of this.#services) this.#start(service, term.signal)
  }

  #start(service: HostService, signal: AbortSignal): void {
    try {
      service.start(signal)
    } catch (error) {
      // One failing service must not keep the others from running.
      reportUnhandledError(error)
    }
  }

  #stepDown(): void {
    this.#lock = undefined
    const term = this.#term
    this.#term = undefined
    term?.abort()
  }
}
