import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { CacheStore } from '../store/store'
import type { Clock } from '../types'
import type { EngineScope } from './engine-scope'
import type { HostService } from './services'

/** How often the leader deletes expired result cache entries. */
export const CACHE_SWEEP_EVERY_MS = 10 * 60_000

/** What the sweep needs. */
export interface CacheSweepParts {
  readonly store: CacheStore
  readonly clock: Clock
  readonly scope: EngineScope
}

/**
 * The leader's sweep of the result cache: deletes every entry expired by the engine's clock when
 * it comes to lead, then every `CACHE_SWEEP_EVERY_MS`, until it stops leading. An expired entry
 * is never used before it is swept (lookups check `expiresAt`): the sweep only frees the space.
 */
export class CacheSweep implements HostService {
  readonly name = 'cache-sweep'
  readonly #parts: CacheSweepParts

  constructor(parts: CacheSweepParts) {
    this.#parts = parts
  }

  start(signal: AbortSignal): void {
    const { clock, scope, store } = this.#parts
    let timer: unknown
    const sweep = () => {
      if (signal.aborted || scope.closed) return
      scope
        .run(() => store.deleteCacheEntries({ expiredAt: clock.now() }))
        .then(
          () => {
            if (!signal.aborted) timer = clock.setTimeout(sweep, CACHE_SWEEP_EVERY_MS)
          },
          (error: unknown) => {
            // A sweep that fails is reported; the next one tries again.
            reportUnhandledError(error)
            if (!signal.aborted) timer = clock.setTimeout(sweep, CACHE_SWEEP_EVERY_MS)
          },
        )
    }
    signal.addEventListener('abort', () => clock.clearTimeout(timer), { once: true })
    sweep()
  }
}
