import type { CacheStore } from '../store/store'

/** The engine's result cache as a task runner uses it: its store, and one Web Lock per key. */
export interface ResultCache {
  readonly store: CacheStore
  /** The Web Lock name of a cache key: two runs that miss the same key compute it once. */
  lockName(key: string): string
  /** The size cap: entries' `bytes` add up to at most this; a larger entry is not kept. */
  readonly maxBytes: number
  /** An entry expiring at `expiresAt` was kept: the leader's sweep (if this engine leads) wakes then. */
  kept(expiresAt: number): void
}
