import { type CacheEntry, type CacheStore, matchesCacheFilter } from './ports/cache-store'

/** The `CacheStore` of a memory store: entries in a map, structured-cloned in and out as IndexedDB does. */
export function memoryCacheStore(): CacheStore {
  const entries = new Map<string, CacheEntry>()
  const total = () => {
    let bytes = 0
    for (const entry of entries.values()) bytes += entry.bytes
    return bytes
  }
  /** Deletes the least recently used entries but `keep` until the total is at most `maxBytes`. */
  const evict = (maxBytes: number, keep?: string) => {
    let bytes = total()
    if (bytes <= maxBytes) return 0
    const oldestFirst = [...entries.values()].sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.bytes - b.bytes)
    let count = 0
    for (const entry of oldestFirst) {
      if (bytes <= maxBytes) break
      if (entry.key === keep) continue
      entries.delete(entry.key)
      bytes -= entry.bytes
      count++
    }
    return count
  }
  return {
    async getCacheEntry(key) {
      const entry = entries.get(key)
      return entry && structuredClone(entry)
    },

    async putCacheEntry(entry, room) {
      entries.set(entry.key, structuredClone(entry))
      let count = 0
      const { expiredAt, maxBytes } = room ?? {}
      if (expiredAt !== undefined) {
        for (const [key, other] of entries) {
          if (key === entry.key || other.expiresAt > expiredAt) continue
          entries.delete(key)
          count++
        }
      }
      return maxBytes === undefined ? count : count + evict(maxBytes, entry.key)
    },

    async touchCacheEntry(key, lastUsedAt) {
      const entry = entries.get(key)
      if (entry) entry.lastUsedAt = lastUsedAt
    },

    async evictCacheEntries(maxBytes) {
      return evict(maxBytes)
    },

    async cacheBytes() {
      return total()
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
