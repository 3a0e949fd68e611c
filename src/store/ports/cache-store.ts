/**
 * The result cache port: task outputs kept across runs under a key made from the action, its
 * version, the resolved params and the task's `cache.key` value (see `src/runtime/cache-key.ts`).
 */
export interface CacheStore {
  /** The entry under `key`, expired or not; `undefined` when there is none. */
  getCacheEntry(key: string): Promise<CacheEntry | undefined>
  /**
   * Stores `entry`, replacing any entry under its key, and in the same transaction makes room:
   * with `room.expiredAt`, deletes the other entries expired at that time; with `room.maxBytes`,
   * then the least recently used other entries (by `lastUsedAt`) until the entries' `bytes` add
   * up to at most `maxBytes`. Resolves to how many it deleted. (The caller keeps no entry larger
   * than `maxBytes` itself.)
   */
  putCacheEntry(entry: CacheEntry, room?: CacheRoom): Promise<number>
  /** Sets the `lastUsedAt` of the entry under `key`, if there still is one (never makes one). */
  touchCacheEntry(key: string, lastUsedAt: number): Promise<void>
  /**
   * Deletes the least recently used entries until the entries' `bytes` add up to at most
   * `maxBytes`; resolves to how many it deleted.
   */
  evictCacheEntries(maxBytes: number): Promise<number>
  /** How many bytes the entries hold (the sum of their `bytes`). */
  cacheBytes(): Promise<number>
  /**
   * Deletes the entries of `filter.action` and/or `filter.definitionId` (every entry when both
   * are absent) and, when `expiredAt` is given, only those expired at that time. Resolves to how
   * many it deleted.
   */
  deleteCacheEntries(filter: CacheFilter): Promise<number>
  /** The earliest `expiresAt` of the entries, expired or not; `undefined` when there are none. */
  nextCacheExpiry(): Promise<number | undefined>
}

/** What a put deletes to make room: entries expired at `expiredAt`, then down to `maxBytes`. */
export interface CacheRoom {
  expiredAt?: number
  maxBytes?: number
}

/** Which cache entries `deleteCacheEntries` deletes. */
export interface CacheFilter {
  action?: string
  definitionId?: string
  /** Only entries whose `expiresAt` is at or before this time. */
  expiredAt?: number
}

/** One cached task output, and where it came from. */
export interface CacheEntry {
  key: string
  /** Absolute time (ms since epoch) from which the entry is stale. */
  expiresAt: number
  action: string
  definitionId: string
  /** The run whose task computed the output. */
  runId: string
  taskId: string
  output: unknown
  createdAt: number
  /** The size of the output as JSON (UTF-8 bytes), plus the entry's own fields: what the size cap counts. */
  bytes: number
  /** When a lookup last used the entry (its creation at first), kept to the minute: the eviction order. */
  lastUsedAt: number
}

/** Whether `entry` matches `filter`. */
export function matchesCacheFilter(entry: CacheEntry, filter: CacheFilter): boolean {
  return (
    (filter.action === undefined || entry.action === filter.action) &&
    (filter.definitionId === undefined || entry.definitionId === filter.definitionId) &&
    (filter.expiredAt === undefined || entry.expiresAt <= filter.expiredAt)
  )
}
