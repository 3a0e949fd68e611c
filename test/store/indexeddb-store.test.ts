import { openDB } from 'idb'
import { ArgumentError } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { indexedDbStore } from '../../src/store/indexeddb-store'
import { approvalJournal, commitEntries } from './approval-entries'
import { storeContract } from './store-contract'
import { completedEntry, definitionRecord, journal, runRecord, snapshotRecord } from './store-fixtures'
import { deleteDatabase, tempDatabaseName, tempStores } from './temp-database'

storeContract('indexedDbStore', async () => {
  const name = tempDatabaseName()
  const store = indexedDbStore({ name })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await deleteDatabase(name)
    },
  }
})

describe('indexedDbStore', () => {
  const temp = tempStores()
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("is named 'spindle' by default and checks its options", () => {
    const store = indexedDbStore()
    expect(store.name).toBe('spindle')
    expect(() => indexedDbStore({ name: '' })).toThrow(ArgumentError)
    expect(() => indexedDbStore({ durability: 'fast' as 'strict' })).toThrow(/'strict' or 'relaxed'/)
  })

  it('opens the database on first use, not when the store is made', async () => {
    const store = temp.open()
    const exists = async () => (await indexedDB.databases()).some((db) => db.name === store.name)
    expect(await exists()).toBe(false)
    await store.listRuns()
    expect(await exists()).toBe(true)
  })

  it('keeps everything when the store is closed and a new store opens the database', async () => {
    const first = temp.open()
    await first.putDefinition(definitionRecord('order', '1.0.0'))
    await first.createRun(runRecord('r1'))
    await first.commit({ entries: journal('r1', 2), runs: [], snapshots: [snapshotRecord('r1', 2)] })
    await first.close()

    const second = temp.open(first.name)
    expect(await second.getDefinition('order')).toEqual(definitionRecord('order', '1.0.0'))
    expect(await second.getRun('r1')).toEqual(runRecord('r1'))
    expect(await second.readJournal('r1')).toEqual(journal('r1', 2))
    expect(await second.latestSnapshot('r1')).toEqual(snapshotRecord('r1', 2))
  })

  it('reopens by itself on the next call after close()', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    await store.close()
    expect(await store.getRun('r1')).toEqual(runRecord('r1'))
  })

  it("sees another connection's writes, and is fenced by that connection's claim", async () => {
    const tabA = temp.open()
    const tabB = temp.open(tabA.name)
    await tabA.createRun(runRecord('r1'))
    const heldByA = await tabA.claimRun('r1', 'tab-a')
    expect(await tabB.getRun('r1')).toEqual(heldByA)

    const heldByB = await tabB.claimRun('r1', 'tab-b')
    await expect(
      tabA.commit({ entries: [completedEntry('r1', 1)], runs: [{ ...heldByA, seq: 1 }], snapshots: [] }),
    ).rejects.toMatchObject({ code: 'STALE_EXECUTOR' })
    await tabB.commit({ entries: [completedEntry('r1', 1)], runs: [{ ...heldByB, seq: 1 }], snapshots: [] })
    expect(await tabA.readJournal('r1')).toEqual([completedEntry('r1', 1)])
  })

  it.each(['strict', 'relaxed'] as const)('writes with durability %s', async (durability) => {
    const store = temp.open(undefined, { durability })
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction')
    await store.createRun(runRecord('r1'))
    await store.commit({ entries: [completedEntry('r1', 1)], runs: [], snapshots: [] })
    const writes = transaction.mock.calls.filter(([, mode]) => mode === 'readwrite')
    expect(writes).toHaveLength(2)
    for (const [, , options] of writes) expect(options).toEqual({ durability })
  })

  it('writes only the batch: a commit costs the same at journal entry 5 and at 500', async () => {
    const store = temp.open()
    const run = await seedRun(store)
    const put = vi.spyOn(IDBObjectStore.prototype, 'put')
    const add = vi.spyOn(IDBObjectStore.prototype, 'add')
    const costOfOneStep = async (seq: number) => {
      put.mockClear()
      add.mockClear()
      const batch = { entries: [completedEntry('r1', seq)], runs: [{ ...run, seq }], snapshots: [] }
      await store.commit(batch)
      return [...put.mock.calls, ...add.mock.calls].map(([value]) => JSON.stringify(value).length)
    }
    const early = await costOfOneStep(5)
    await store.commit({ entries: journal('r1', 494, 6), runs: [{ ...run, seq: 499 }], snapshots: [] })
    const late = await costOfOneStep(500)
    expect(early).toHaveLength(2)
    expect(late).toHaveLength(2)
    expect(Math.max(...late)).toBeLessThan(Math.max(...early) + 10)
    expect(await store.readJournal('r1', 498)).toHaveLength(2)
  })

  it('rejects malformed keys and records with an ArgumentError naming the value, and writes nothing', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    await expect(store.getRun('')).rejects.toBeInstanceOf(ArgumentError)
    await expect(store.readJournal('r1', Number.NaN)).rejects.toThrow(/afterSeq/)
    await expect(store.listRuns({ limit: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', value: -1 })
    await expect(
      store.createRun({ ...runRecord('r2'), createdAt: undefined as unknown as number }),
    ).rejects.toThrow(/"createdAt"/)
    const noSeq = { ...completedEntry('r1', 1), seq: 'one' as unknown as number }
    await expect(
      store.commit({ entries: [completedEntry('r1', 1), noSeq], runs: [], snapshots: [] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', value: 'one' })
    await expect(store.commit({ entries: [], runs: [] } as never)).rejects.toThrow(
      /"snapshots" must be an array/,
    )
    expect(await store.readJournal('r1')).toEqual([])
    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['r1'])
  })
})

async function seedRun(store: ReturnType<typeof indexedDbStore>) {
  await store.createRun(runRecord('r1'))
  const run = await store.claimRun('r1', 'tab-a')
  await store.commit({ entries: journal('r1', 4), runs: [{ ...run, seq: 4 }], snapshots: [] })
  return run
}

describe('indexedDbStore: the approvals it keeps', () => {
  const temp = tempStores()

  it("keeps an approval's data once, on the item, not again in the events it was folded from", async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const j = approvalJournal('r1')
    const data = { lines: Array.from({ length: 50 }, (_, i) => ({ sku: `s${i}`, qty: i })) }
    const entries = [j.required({ taskId: 'x' }, { data, description: 'd' }), j.voted({ taskId: 'x' }, 'ann')]
    await commitEntries(store, 'r1', entries)
    const db = await openDB(store.name)
    const record = await db.get('approvals', 'r1:x')
    db.close()
    expect(record.data).toEqual(data)
    expect(record.trail.map((e: { type: string }) => e.type)).toEqual(['approval.required', 'approval.voted'])
    expect(record.trail[0]).not.toHaveProperty('data')
    expect(record.trail[0]).not.toHaveProperty('description')
    expect((await store.listApprovals())[0]).toMatchObject({ data, description: 'd', votes: [{ by: 'ann' }] })
  })
})
