import { DeadlineTimer } from '../runtime/deadline-timer'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { CacheStore } from '../store/store'
import type { Clock } from '../types'
import type { EngineScope } from './engine-scope'
import type { HostService } from './services'

/** What the sweep needs. */
export interface CacheSweepParts {
  readonly store: CacheStore
  readonly clock: Clock
  readonly scope: EngineScope
  /** The size cap (`EngineOptions.cache.maxBytes`). */
  readonly maxBytes: number
}

/**
 * The leader's sweep of the result cache: deletes every entry expired by the engine's clock when
 * it comes to lead, then once more when the earliest entry left expires, until it stops leading.
 * It holds a timer only while an entry is waiting to expire, so an engine with an empty cache
 * keeps no timer of its own. An entry this engine puts (`kept`) re-arms it when it expires
 * sooner. Entries other tabs put are seen at the next sweep (the one at the earliest expiry, or
 * when an engine comes to lead), and every put, in any tab, deletes the expired entries it finds.
 * Nothing depends on them being swept: lookups check `expiresAt`, so an expired entry is never
 * used, and the sweep only frees its space.
 * Each sweep also evicts the least recently used entries down to the size cap: every put evicts
 * down to the cap of the engine that puts, and the leader's may be lower (an app that lowered it).
 */
export class CacheSweep implements HostService {
  readonly name = 'cache-sweep'
  readonly #parts: CacheSweepParts
  readonly #timer: DeadlineTimer
  /** The current term of leadership; undefined while this engine does not lead. */
  #term: AbortSignal | undefined
  /** When the armed timer fires; undefined when none is armed. */
  #armedAt: number | undefined
  /** While a sweep is under way: the earliest expiry kept since it began (it may not see them). */
  #keptDuringSweep: number | undefined
  #sweeping = false

  constructor(parts: CacheSweepParts) {
    this.#parts = parts
    this.#timer = new DeadlineTimer(parts.clock)
  }

  start(signal: AbortSignal): void {
    this.#term = signal
    signal.addEventListener(
      'abort',
      () => {
        this.#timer.disarm()
        this.#armedAt = undefined
      },
      { once: true },
    )
    this.#sweep(signal)
  }

  /** This engine kept an entry expiring at `expiresAt`: the sweep wakes then if not sooner. */
  kept(expiresAt: number): void {
    const term = this.#term
    if (!term || term.aborted) return
    if (this.#sweeping) {
      this.#keptDuringSweep = Math.min(this.#keptDuringSweep ?? expiresAt, expiresAt)
      return
    }
    if (this.#armedAt === undefined || expiresAt < this.#armedAt) this.#arm(expiresAt, term)
  }

  #arm(at: number, term: AbortSignal): void {
    try {
      this.#timer.arm(at, () => {
        this.#armedAt = undefined
        this.#sweep(term)
      })
      this.#armedAt = at
    } catch (error) {
      // Armed from a sweep's continuation, which has no caller to hold the failure: the
      // entries stay (never used once expired) until a later put or term sweeps them.
      this.#armedAt = undefined
      reportUnhandledError(error)
    }
  }

  #sweep(term: AbortSignal): void {
    const { clock, scope, store, maxBytes } = this.#parts
    if (term.aborted || scope.closed) return
    this.#sweeping = true
    this.#keptDuringSweep = undefined
    const finish = (next: number | undefined) => {
      this.#sweeping = false
      const kept = this.#keptDuringSweep
      this.#keptDuringSweep = undefined
      if (term.aborted) return
      const at = Math.min(next ?? Number.POSITIVE_INFINITY, kept ?? Number.POSITIVE_INFINITY)
      if (Number.isFinite(at)) this.#arm(at, term)
    }
    scope
      .run(async () => {
        await store.deleteCacheEntries({ expiredAt: clock.now() })
        await store.evictCacheEntries(maxBytes)
        return store.nextCacheExpiry()
      })
      .then(finish, (error: unknown) => {
        // A sweep that fails is reported; the entries stay until the next sweep (a later put in
        // this engine, or the next term of leadership) and are never used once expired.
        reportUnhandledError(error)
        finish(undefined)
      })
  }
}
