import type { IdbConnection, Tx } from './idb-connection'
import { type CacheStore, matchesCacheFilter } from './ports/cache-store'

/** The one `cacheUsage` record: the sum of the entries' `bytes`. */
const TOTAL = 'total'

type CacheTx = Tx<['cache', 'cacheUsage'], 'readwrite'>

/**
 * The `CacheStore` of an IndexedDB database: the `cache` object store, keyed by cache key. The
 * entries' total size is kept in `cacheUsage`, changed in the transaction of every put and
 * delete (across tabs, transactions on both stores take turns), so a put that must evict reads
 * one record rather than every entry. Eviction walks the `lastUsedAt` index, whose keys are
 * `[lastUsedAt, bytes]`: it reads neither the outputs nor the entries it keeps.
 */
export function idbCacheStore(db: IdbConnection): CacheStore {
  return {
    async getCacheEntry(key) {
      return db.read('getCacheEntry', ['cache'], (tx) => tx.objectStore('cache').get(key))
    },

    async putCacheEntry(entry, room) {
      return db.write('putCacheEntry', ['cache', 'cacheUsage'], async (tx) => {
        const store = tx.objectStore('cache')
        const replaced = await store.get(entry.key)
        await store.put({ ...entry })
        let total = (await totalOf(tx)) - (replaced?.bytes ?? 0) + entry.bytes
        let count = 0
        if (room?.expiredAt !== undefined) {
          // Usually none: one seek in the index.
          let cursor = await store.index('expiresAt').openCursor(IDBKeyRange.upperBound(room.expiredAt))
          while (cursor) {
            if (cursor.primaryKey !== entry.key) {
              total -= cursor.value.bytes
              await cursor.delete()
              count++
            }
            cursor = await cursor.continue()
          }
        }
        return count + (await evict(tx, total, room?.maxBytes ?? Number.POSITIVE_INFINITY, entry.key))
      })
    },

    async touchCacheEntry(key, lastUsedAt) {
      await db.write('touchCacheEntry', ['cache'], async (tx) => {
        const store = tx.objectStore('cache')
        const entry = await store.get(key)
        if (entry) await store.put({ ...entry, lastUsedAt })
      })
    },

    async evictCacheEntries(maxBytes) {
      return db.write('evictCacheEntries', ['cache', 'cacheUsage'], async (tx) =>
        evict(tx, await totalOf(tx), maxBytes, undefined),
      )
    },

    async cacheBytes() {
      return db.read(
        'cacheBytes',
        ['cacheUsage'],
        async (tx) => (await tx.objectStore('cacheUsage').get(TOTAL))?.bytes ?? 0,
      )
    },

    async deleteCacheEntries(filter) {
      return db.write('deleteCacheEntries', ['cache', 'cacheUsage'], async (tx) => {
        const store = tx.objectStore('cache')
        let cursor =
          filter.expiredAt === undefined
            ? await store.openCursor()
            : await store.index('expiresAt').openCursor(IDBKeyRange.upperBound(filter.expiredAt))
        let count = 0
        let freed = 0
        while (cursor) {
          if (matchesCacheFilter(cursor.value, filter)) {
            freed += cursor.value.bytes
            await cursor.delete()
            count++
          }
          cursor = await cursor.continue()
        }
        if (count > 0) await setTotal(tx, (await totalOf(tx)) - freed)
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

async function totalOf(tx: CacheTx): Promise<number> {
  return (await tx.objectStore('cacheUsage').get(TOTAL))?.bytes ?? 0
}

async function setTotal(tx: CacheTx, bytes: number): Promise<void> {
  await tx.objectStore('cacheUsage').put({ id: TOTAL, bytes: Math.max(0, bytes) })
}

/** Deletes the least recently used entries but `keep` until `total` is at most `maxBytes`; stores the total. */
async function evict(
  tx: CacheTx,
  total: number,
  maxBytes: number,
  keep: string | undefined,
): Promise<number> {
  let count = 0
  if (total > maxBytes) {
    const store = tx.objectStore('cache')
    let cursor = await store.index('lastUsedAt').openKeyCursor()
    while (cursor && total > maxBytes) {
      if (cursor.primaryKey !== keep) {
        await store.delete(cursor.primaryKey)
        total -= cursor.key[1]
        count++
      }
      cursor = await cursor.continue()
    }
  }
  await setTotal(tx, total)
  return count
}
