import type { IdbConnection } from './idb-connection'
import { type CacheStore, matchesCacheFilter } from './ports/cache-store'

/**
 * The `CacheStore` of an IndexedDB database: the `cache` object store, keyed by cache key. A
 * delete by filter walks the store in one transaction (expired entries only: the `expiresAt` index).
 */
export function idbCacheStore(db: IdbConnection): CacheStore {
  return {
    async getCacheEntry(key) {
      return db.read('getCacheEntry', ['cache'], (tx) => tx.objectStore('cache').get(key))
    },

    async putCacheEntry(entry) {
      await db.write('putCacheEntry', ['cache'], (tx) => tx.objectStore('cache').put({ ...entry }))
    },

    async deleteCacheEntries(filter) {
      return db.write('deleteCacheEntries', ['cache'], async (tx) => {
        const store = tx.objectStore('cache')
        let cursor =
          filter.expiredAt === undefined
            ? await store.openCursor()
            : await store.index('expiresAt').openCursor(IDBKeyRange.upperBound(filter.expiredAt))
        let count = 0
        while (cursor) {
          if (matchesCacheFilter(cursor.value, filter)) {
            await cursor.delete()
            count++
          }
          cursor = await cursor.continue()
        }
        return count
      })
    },

    async nextCacheExpiry() {
      return db.read('nextCacheExpiry', ['cache'], async (tx) => {
        const cursor = await tx.objectStore('cache').index('expiresAt').openKeyCursor()
        return cursor?.key
      })
    },
  }
}
