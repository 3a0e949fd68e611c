import { isQuotaError, SpindleError, StorageError } from '../errors'
import type { CommitBatch, Store } from '../store/store'
import { reportUnhandledError } from './report-unhandled-error'

/** A run with journal entries waiting to be written. */
export interface JournalSource {
  /** Moves the source's queued entries (and its run record, and a snapshot when one is due) into `batch`. */
  collect(batch: CommitBatch): void
  /** The batch carrying what the source collected last committed. */
  committed(): void
  /**
   * A batch carrying the source's entries failed. Called before any later batch is built, so the
   * source can stop at once: a later entry must never be written after an earlier one was lost.
   */
  failed(error: unknown): void
}

/** Told of every journal commit's outcome (the engine's watch of the storage quota). */
export interface JournalOutcomes {
  written(batch: CommitBatch): void
  failed(error: unknown): void
}

/**
 * Writes journal entries with group commit: the first write waits only for the current
 * microtasks, and everything queued while a commit is in flight goes to the store together in
 * the next transaction. A chain of tasks pays one commit per step; tasks finishing side by side
 * share commits.
 * A flush takes whatever every dirty run has queued at that moment, so the bytes written per
 * task completion do not depend on the size of the run.
 */
export class JournalWriter {
  readonly #store: Store
  readonly #outcomes: JournalOutcomes | undefined
  #dirty = new Set<JournalSource>()
  /** The next commit, once something is queued for it. */
  #next: Flight | undefined
  /** The commit in flight, if any: while it lasts, new entries wait for the next one. */
  #current: Flight | undefined
  /** The batch in flight, for `outcomes`. */
  #batch: CommitBatch | undefined
  /** The sources whose entries the commit in flight carries. */
  #sources: Set<JournalSource> | undefined
  /** An empty set for the next commit's sources. */
  #spare: Set<JournalSource> | undefined

  constructor(store: Store, outcomes?: JournalOutcomes) {
    this.#store = store
    this.#outcomes = outcomes
  }

  /**
   * Marks `source` dirty: the next commit carries everything it has queued now, and then calls
   * its `committed` (or `failed`). No promise per write: a step of a run pays for none here.
   */
  write(source: JournalSource): void {
    this.#dirty.add(source)
    if (!this.#next) {
      this.#next = new Flight()
      if (!this.#current) queueMicrotask(this.#flushNow)
    }
  }

  /**
   * Resolves once every entry accepted before the call is written or has failed: the barrier is
   * the next flush (which follows the one in flight), not an idle journal, so a run that keeps
   * writing cannot hold a reader back. A failed write is its sources' to report; here it only
   * means there is nothing more to wait for.
   */
  committed(): Promise<void> {
    const barrier = this.#next ?? this.#current
    return barrier ? barrier.settled() : Promise.resolve()
  }

  /** Whether nothing is queued or in flight now. */
  get idle(): boolean {
    return this.#next === undefined && this.#current === undefined
  }

  /** Resolves when nothing is queued or in flight (failures included). */
  async settled(): Promise<void> {
    for (;;) {
      const pending = this.#current ?? this.#next
      if (!pending) return
      await pending.settled()
    }
  }

  readonly #flushNow = (): void => this.#flush()

  /** One commit; no async function around it, so a step pays for the store's promise alone. */
  #flush(): void {
    const flight = this.#next
    if (!flight) return
    this.#next = undefined
    const batch: CommitBatch = { entries: [], runs: [], snapshots: [], fences: [] }
    const sources = this.#dirty
    // The set of the last commit, emptied, takes the next one's sources: no set per commit.
    this.#dirty = this.#spare ?? new Set()
    this.#spare = undefined
    for (const source of sources) source.collect(batch)
    this.#current = flight
    this.#sources = sources
    this.#batch = batch
    let commit: Promise<void>
    try {
      commit = this.#store.commit(batch)
    } catch (error) {
      commit = Promise.reject(error)
    }
    // Neither handler throws: the promise they make has nothing to report. One commit is in
    // flight at a time, so the handlers are made once and find its sources in `#sources`.
    commit.then(this.#onCommitted, this.#onFailed)
  }

  readonly #onCommitted = (): void => {
    const sources = this.#sources!
    this.#outcomes?.written(this.#batch!)
    for (const source of sources) {
      try {
        source.committed()
      } catch (broken) {
        // The write stands; what a source failed to do after it has no caller to go to.
        reportUnhandledError(broken)
      }
    }
    this.#flushed(sources)
  }

  readonly #onFailed = (error: unknown): void => {
    const sources = this.#sources!
    const failure =
      error instanceof SpindleError
        ? error
        : new StorageError(`The store could not write the journal: ${String(error)}`, {
            cause: error,
            ...(isQuotaError(error) && { reason: 'quota' as const }),
          })
    // Before the sources hear of it: a run reloaded after the failure finds the disk known full.
    this.#outcomes?.failed(failure)
    for (const source of sources) {
      try {
        source.failed(failure)
      } catch (broken) {
        // A source that cannot stop is past helping; the others must still hear of the failure.
        reportUnhandledError(broken)
      }
    }
    this.#flushed(sources)
  }

  /**
   * The next commit starts at once: what the sources did on hearing of this one (a chain's next
   * step) is queued already, and whatever else was waiting had the whole commit to join. One
   * microtask hop less per commit than going through the queue again.
   */
  #flushed(sources: Set<JournalSource>): void {
    this.#current!.resolve()
    this.#current = undefined
    this.#sources = undefined
    this.#batch = undefined
    sources.clear()
    this.#spare = sources
    if (this.#next) this.#flush()
  }
}

/**
 * One commit as those who wait for it see it: it settles (written or failed: a failed write is
 * its sources' to report) and a promise of that is made only for who asks.
 */
class Flight {
  #done = false
  #promise: Promise<void> | undefined
  #resolve: (() => void) | undefined

  settled(): Promise<void> {
    if (this.#done) return Promise.resolve()
    this.#promise ??= new Promise<void>((resolve) => {
      this.#resolve = resolve
    })
    return this.#promise
  }

  resolve(): void {
    this.#done = true
    this.#resolve?.()
  }
}
