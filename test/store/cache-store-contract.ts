import type { CacheEntry, Store } from 'spindle'
import { describe, expect, it } from 'vitest'

function entry(key: string, fields: Partial<CacheEntry> = {}): CacheEntry {
  return {
    key,
    expiresAt: 2_000,
    action: 'fetch-price',
    definitionId: 'prices',
    runId: 'run-1',
    taskId: 'price',
    output: { price: 42, tags: ['a'] },
    createdAt: 1_000,
    bytes: 100,
    lastUsedAt: 1_000,
    ...fields,
  }
}

/** The `CacheStore` behaviour every store shows: entries in and out, deletes by filter and by expiry. */
export function cacheStoreContract(store: () => Store): void {
  describe('CacheStore', () => {
    it('gives back what was put, replaced by a later put, and nothing for an unknown key', async () => {
      expect(await store().getCacheEntry('k1')).toBeUndefined()
      await store().putCacheEntry(entry('k1'))
      expect(await store().getCacheEntry('k1')).toEqual(entry('k1'))
      await store().putCacheEntry(entry('k1', { output: 'second', runId: 'run-2' }))
      expect(await store().getCacheEntry('k1')).toEqual(entry('k1', { output: 'second', runId: 'run-2' }))
    })

    it('keeps no reference to the entry it was given', async () => {
      const given = entry('k1')
      await store().putCacheEntry(given)
      ;(given.output as { price: number }).price = 0
      expect(await store().getCacheEntry('k1')).toEqual(entry('k1'))
    })

    it('deletes by action, by definition, both, or all, and counts what it deleted', async () => {
      await store().putCacheEntry(entry('a', { action: 'x', definitionId: 'd1' }))
      await store().putCacheEntry(entry('b', { action: 'x', definitionId: 'd2' }))
      await store().putCacheEntry(entry('c', { action: 'y', definitionId: 'd1' }))
      await store().putCacheEntry(entry('d', { action: 'y', definitionId: 'd2' }))
      expect(await store().deleteCacheEntries({ action: 'x', definitionId: 'd1' })).toBe(1)
      expect(await store().getCacheEntry('a')).toBeUndefined()
      expect(await store().deleteCacheEntries({ definitionId: 'd2' })).toBe(2)
      expect(await store().getCacheEntry('c')).toEqual(entry('c', { action: 'y', definitionId: 'd1' }))
      expect(await store().deleteCacheEntries({ action: 'z' })).toBe(0)
      expect(await store().deleteCacheEntries({})).toBe(1)
      expect(await store().getCacheEntry('c')).toBeUndefined()
    })

    it('deletes only the entries expired at a time when asked', async () => {
      await store().putCacheEntry(entry('old', { expiresAt: 100 }))
      await store().putCacheEntry(entry('edge', { expiresAt: 200 }))
      await store().putCacheEntry(entry('fresh', { expiresAt: 300 }))
      expect(await store().deleteCacheEntries({ expiredAt: 200 })).toBe(2)
      expect(await store().getCacheEntry('old')).toBeUndefined()
      expect(await store().getCacheEntry('edge')).toBeUndefined()
      expect(await store().getCacheEntry('fresh')).toEqual(entry('fresh', { expiresAt: 300 }))
    })

    it("keeps the total of the entries' bytes through puts, replacements and deletes", async () => {
      expect(await store().cacheBytes()).toBe(0)
      await store().putCacheEntry(entry('a', { bytes: 100 }))
      await store().putCacheEntry(entry('b', { bytes: 250, action: 'other' }))
      expect(await store().cacheBytes()).toBe(350)
      await store().putCacheEntry(entry('a', { bytes: 40 }))
      expect(await store().cacheBytes()).toBe(290)
      await store().deleteCacheEntries({ action: 'other' })
      expect(await store().cacheBytes()).toBe(40)
      await store().deleteCacheEntries({})
      expect(await store().cacheBytes()).toBe(0)
    })

    it('a put with maxBytes evicts the least recently used other entries until the total fits', async () => {
      await store().putCacheEntry(entry('old', { bytes: 100, lastUsedAt: 10 }))
      await store().putCacheEntry(entry('used', { bytes: 100, lastUsedAt: 30 }))
      await store().putCacheEntry(entry('mid', { bytes: 100, lastUsedAt: 20 }))
      // The new entry is the oldest used of all, yet it stays: the others make room.
      expect(
        await store().putCacheEntry(entry('new', { bytes: 150, lastUsedAt: 5 }), { maxBytes: 300 }),
      ).toBe(2)
      expect(await store().getCacheEntry('old')).toBeUndefined()
      expect(await store().getCacheEntry('mid')).toBeUndefined()
      expect(await store().getCacheEntry('used')).toBeDefined()
      expect(await store().getCacheEntry('new')).toBeDefined()
      expect(await store().cacheBytes()).toBe(250)
      expect(
        await store().putCacheEntry(entry('small', { bytes: 50, lastUsedAt: 40 }), { maxBytes: 300 }),
      ).toBe(0)
      expect(await store().cacheBytes()).toBe(300)
    })

    it('a put with expiredAt deletes the other entries expired then, in its transaction', async () => {
      await store().putCacheEntry(entry('gone', { bytes: 100, expiresAt: 500 }))
      await store().putCacheEntry(entry('edge', { bytes: 100, expiresAt: 600 }))
      await store().putCacheEntry(entry('fresh', { bytes: 100, expiresAt: 900 }))
      expect(
        await store().putCacheEntry(entry('new', { bytes: 50, expiresAt: 550 }), { expiredAt: 600 }),
      ).toBe(2)
      expect(await store().getCacheEntry('gone')).toBeUndefined()
      expect(await store().getCacheEntry('edge')).toBeUndefined()
      // The entry put is kept even when it is expired itself.
      expect(await store().getCacheEntry('new')).toBeDefined()
      expect(await store().getCacheEntry('fresh')).toBeDefined()
      expect(await store().cacheBytes()).toBe(150)
    })

    it('a touch moves an entry later in the eviction order, and never makes one', async () => {
      await store().putCacheEntry(entry('a', { bytes: 100, lastUsedAt: 10 }))
      await store().putCacheEntry(entry('b', { bytes: 100, lastUsedAt: 20 }))
      await store().touchCacheEntry('a', 30)
      await store().touchCacheEntry('gone', 30)
      expect(await store().getCacheEntry('gone')).toBeUndefined()
      expect(await store().getCacheEntry('a')).toEqual(entry('a', { bytes: 100, lastUsedAt: 30 }))
      expect(await store().evictCacheEntries(150)).toBe(1)
      expect(await store().getCacheEntry('b')).toBeUndefined()
      expect(await store().evictCacheEntries(100)).toBe(0)
      expect(await store().evictCacheEntries(0)).toBe(1)
      expect(await store().cacheBytes()).toBe(0)
    })

    it('tells the earliest expiry of the entries left, and none when there are none', async () => {
      expect(await store().nextCacheExpiry()).toBeUndefined()
      await store().putCacheEntry(entry('late', { expiresAt: 900 }))
      await store().putCacheEntry(entry('early', { expiresAt: 400 }))
      expect(await store().nextCacheExpiry()).toBe(400)
      await store().deleteCacheEntries({ expiredAt: 400 })
      expect(await store().nextCacheExpiry()).toBe(900)
      await store().deleteCacheEntries({})
      expect(await store().nextCacheExpiry()).toBeUndefined()
    })
  })
}
