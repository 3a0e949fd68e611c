import { type CacheEntry, type CacheStore, matchesCacheFilter } from './ports/cache-store'

/** The `CacheStore` of a memory store: entries in a map, structured-cloned in and out as IndexedDB does. */
export function memoryCacheStore(): CacheStore {
  const entries = new Map<string, CacheEntry>()
  return {
    async getCacheEntry(key) {
      const entry = entries.get(key)
      return entry && structuredClone(entry)
    },

    async putCacheEntry(entry) {
      entries.set(entry.key, structuredClone(entry))
    },

    async deleteCacheEntries(filter) {
      let count = 0
      for (const [key, entry] of entries) {
        if (!matchesCacheFilter(entry, filter)) continue
        entries.delete(key)
        count++
      }
      return count
    },

    async nextCacheExpiry() {
      let next: number | undefined
      for (const entry of entries.values())
        if (next === undefined || entry.expiresAt < next) next = entry.expiresAt
      return next
    },
  }
}
