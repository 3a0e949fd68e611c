import { openDB } from 'idb'
import { StorageError } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SCHEMA_VERSION } from '../../src/store/idb-schema'
import { indexedDbStore } from '../../src/store/indexeddb-store'
import { completedEntry, journal, runRecord } from './store-fixtures'
import { deleteDatabase, tempStores } from './temp-database'

describe('indexedDbStore failures', () => {
  const temp = tempStores()
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("closes its connection for another tab's upgrade, which is never blocked", async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const blocked = vi.fn()
    const newer = await openDB(store.name, SCHEMA_VERSION + 1, { blocked })
    expect(blocked).not.toHaveBeenCalled()
    expect(newer.version).toBe(SCHEMA_VERSION + 1)

    const outdated = store.getRun('r1')
    await expect(outdated).rejects.toBeInstanceOf(StorageError)
    await expect(outdated).rejects.toMatchObject({ code: 'STORAGE_FAILED', cause: { name: 'VersionError' } })
    await expect(outdated).rejects.toThrow(/Reload this page/)
    newer.close()
  })

  it('lets another tab delete the database and carries on with a fresh one', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    await deleteDatabase(store.name)
    expect(await store.getRun('r1')).toBeUndefined()
    await store.createRun(runRecord('r1'))
    expect(await store.getRun('r1')).toEqual(runRecord('r1'))
  })

  it('rejects a commit holding a value that cannot be cloned, and writes none of the batch', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const uncloneable = completedEntry('r1', 2, { format: () => 'not data' })
    const failed = store.commit({
      entries: [completedEntry('r1', 1), uncloneable],
      runs: [runRecord('r1', { seq: 2, status: 'completed' })],
      snapshots: [],
    })
    await expect(failed).rejects.toBeInstanceOf(StorageError)
    await expect(failed).rejects.toMatchObject({ cause: { name: 'DataCloneError' } })
    await expect(failed).rejects.toThrow(/plain data/)
    expect(await store.readJournal('r1')).toEqual([])
    expect(await store.getRun('r1')).toEqual(runRecord('r1'))
  })

  it('a request that fails after its fences passed still fails the whole commit, naming its cause', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    await store.createRun(runRecord('r2'))
    const run = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [run] })
    // Fenced correctly, so the commit is asked for once the fences are read; the page at seq 1
    // is stored already and fails afterwards.
    const failed = store.commit({
      entries: [completedEntry('r2', 1), completedEntry('r1', 1, 'again')],
      runs: [{ ...run, seq: 1, status: 'completed' }],
      snapshots: [],
      outputs: [{ runId: 'r2', key: 't1', seq: 1, entry: completedEntry('r2', 1) }],
      fences: [{ runId: 'r2', epoch: 0 }],
    })
    await expect(failed).rejects.toMatchObject({ code: 'STORAGE_FAILED', cause: { name: 'ConstraintError' } })
    expect(await store.readJournal('r1')).toEqual(journal('r1', 2))
    expect(await store.readJournal('r2')).toEqual([])
    expect(await store.readOutputs('r2')).toEqual([])
    expect(await store.getRun('r1')).toEqual(run)
  })

  it('reports a full disk (QuotaExceededError) as a StorageError, writes nothing, and stays usable', async () => {
    // A storage bucket with a 1 MB quota: the browser enforces it for real, and only for this
    // test. The global IndexedDB factory is pointed at the bucket's while the store runs.
    const buckets = (navigator as unknown as { storageBuckets: StorageBuckets }).storageBuckets
    const bucket = await buckets.open(`quota-${crypto.randomUUID()}`, { quota: 1_000_000 })
    const global = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!
    Object.defineProperty(globalThis, 'indexedDB', { ...global, get: () => bucket.indexedDB })
    const store = indexedDbStore({ name: 'quota' })
    try {
      await store.createRun(runRecord('r1'))
      const run = await store.claimRun('r1', 'tab-a')
      await store.commit({ entries: journal('r1', 1), runs: [{ ...run, seq: 1 }], snapshots: [] })

      const tooBig = completedEntry('r1', 2, new Uint8Array(8_000_000))
      const failed = store.commit({ entries: [tooBig], runs: [{ ...run, seq: 2 }], snapshots: [] })
      await expect(failed).rejects.toBeInstanceOf(StorageError)
      await expect(failed).rejects.toMatchObject({
        code: 'STORAGE_FAILED',
        cause: { name: 'QuotaExceededError' },
      })
      await expect(failed).rejects.toThrow(/quota .* used up/)
      expect(await store.readJournal('r1')).toEqual(journal('r1', 1))
      expect((await store.getRun('r1'))?.seq).toBe(1)

      await store.commit({ entries: [completedEntry('r1', 2)], runs: [{ ...run, seq: 2 }], snapshots: [] })
      expect((await store.readJournal('r1')).map((e) => e.seq)).toEqual([1, 2])
    } finally {
      await store.close()
      Object.defineProperty(globalThis, 'indexedDB', global)
      await buckets.delete(bucket.name)
    }
  })

  it('reopens once when the connection was closed under it (InvalidStateError)', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    transaction.mockImplementationOnce(() => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError')
    })
    expect(await store.getRun('r1')).toEqual(runRecord('r1'))
    expect(transaction).toHaveBeenCalledTimes(2)
  })

  it('reports a connection that stays closed as a StorageError that says to retry', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError')
    })
    const failed = store.getRun('r1')
    await expect(failed).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      cause: { name: 'InvalidStateError' },
    })
    await expect(failed).rejects.toThrow(/connection was closed.*Retry/)
  })

  it('reports a transaction the browser aborted (AbortError) as a StorageError', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    // Journal pages are added, never put over an existing one.
    const add = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementationOnce(function (
      this: IDBObjectStore,
    ) {
      this.transaction.abort()
      throw new DOMException('The transaction was aborted.', 'AbortError')
    })
    const failed = store.commit({ entries: [completedEntry('r1', 1)], runs: [], snapshots: [] })
    await expect(failed).rejects.toMatchObject({ code: 'STORAGE_FAILED', cause: { name: 'AbortError' } })
    add.mockRestore()
    expect(await store.readJournal('r1')).toEqual([])
  })
})

/** The Storage Buckets API (Chromium 122+), which TypeScript's DOM library does not declare yet. */
interface StorageBuckets {
  open(name: string, options?: { quota?: number }): Promise<{ name: string; indexedDB: IDBFactory }>
  delete(name: string): Promise<void>
}
