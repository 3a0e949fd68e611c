import { EngineClosedError } from '../errors'
import { DeadlineTimer, type TimerClock } from '../runtime/deadline-timer'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { Store } from '../store/store'
import { DeadlineHeap } from './deadline-heap'
import type { EngineScope } from './engine-scope'
import type { HostService } from './services'

export interface DeadlineWakeupsOptions {
  store: Store
  clock: TimerClock
  scope: EngineScope
  /** Loads and resumes a passive run whose wake time came (it checks the stored record first). */
  wake(runId: string): Promise<void>
  /** This engine leads now: its dormant live runs may leave memory. */
  leading(): void
}

/**
 * The engine-wide deadline heap, a leader service: passive runs wake from it when their time
 * comes, with one platform timer for all of them, armed for the earliest. It is filled from the
 * store's `wakeAt` index (once the engine recovers) and by the runs this engine passivates.
 */
export class DeadlineWakeups implements HostService {
  readonly name = 'deadline wake-ups'
  readonly #o: DeadlineWakeupsOptions
  readonly #heap = new DeadlineHeap()
  /** Each run's current wake time: a heap entry with another time is stale and skipped. */
  readonly #due = new Map<string, number>()
  readonly #timer: DeadlineTimer
  /** The current term of leadership; undefined while this engine does not lead. */
  #term: AbortSignal | undefined
  /** Whether the stored passive runs are this engine's to wake (it recovered). */
  #stored = false
  /** Wakes under way. */
  readonly #waking = new Set<Promise<void>>()

  constructor(options: DeadlineWakeupsOptions) {
    this.#o = options
    this.#timer = new DeadlineTimer(options.clock)
  }

  /** Whether this engine wakes passive runs now, so a dormant run may leave its memory. */
  get active(): boolean {
    return this.#term !== undefined && !this.#term.aborted
  }

  start(signal: AbortSignal): void {
    this.#term = signal
    signal.addEventListener('abort', () => {
      this.#timer.disarm()
      this.#heap.clear()
      this.#due.clear()
    })
    this.#o.leading()
    if (this.#stored) this.#load(signal)
  }

  /** From now on the stored passive runs (all of them, whoever passivated them) are woken here. */
  recovered(): void {
    this.#stored = true
    if (!this.#term || this.#term.aborted) return
    // Loaded afresh: what a failed load or an earlier term left out is in the store.
    this.#heap.clear()
    this.#due.clear()
    this.#load(this.#term)
  }

  /** Resolves once the wakes under way have loaded their runs (or failed). */
  async settled(): Promise<void> {
    while (this.#waking.size > 0) await Promise.all(this.#waking)
  }

  /** A run left memory until `wakeAt` (`Infinity`: until a call wakes it). */
  passivated(runId: string, wakeAt: number): void {
    if (!this.active || !Number.isFinite(wakeAt)) return
    this.#schedule(runId, wakeAt)
    this.#arm()
  }

  /** How many wake times the heap holds (stale ones included), for tests and figures. */
  get size(): number {
    return this.#heap.size
  }

  #schedule(runId: string, wakeAt: number): void {
    // A run passivated again with the same time (woken by a call in between) is there already.
    if (this.#due.get(runId) === wakeAt) return
    this.#due.set(runId, wakeAt)
    this.#heap.add({ runId, wakeAt })
  }

  #load(term: AbortSignal): void {
    this.#o.store.listWakeups().then(
      (wakeups) => {
        if (term.aborted) return
        for (const { runId, wakeAt } of wakeups) this.#schedule(runId, wakeAt)
        this.#arm()
      },
      (error: unknown) => {
        // The stored runs stay passive until the next term, or recover(), loads them again. A
        // read cut off by the end of the term (the engine closing) is no failure.
        if (!term.aborted) reportUnhandledError(error)
      },
    )
  }

  #arm(): void {
    const earliest = this.#heap.peek()
    if (!earliest) {
      this.#timer.disarm()
      return
    }
    try {
      this.#timer.arm(earliest.wakeAt, () => this.#fire())
    } catch (error) {
      // Called from a passivation's or a load's continuation, which has no caller to hold it:
      // the runs stay passive until the next recover() loads them again.
      reportUnhandledError(error)
    }
  }

  #fire(): void {
    if (!this.active) return
    const now = this.#o.clock.now()
    while ((this.#heap.peek()?.wakeAt ?? Number.POSITIVE_INFINITY) <= now) {
      const { runId, wakeAt } = this.#heap.take()!
      if (this.#due.get(runId) !== wakeAt) continue
      this.#due.delete(runId)
      if (this.#o.scope.closed) return
      const waking = this.#o.scope
        .run(() => this.#o.wake(runId))
        .catch((error: unknown) => {
          // Not woken (the store failed): it stays passive until the next recover() loads it.
          if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
        })
        .finally(() => this.#waking.delete(waking))
      this.#waking.add(waking)
    }
    this.#arm()
  }
}
