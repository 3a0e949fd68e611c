import { type IDBPDatabase, openDB } from 'idb'
import type { JournalEntry } from 'spindle'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/store/idb-schema'
import { indexedDbStore } from '../../src/store/indexeddb-store'
import { approvalJournal, commitEntries } from './approval-entries'
import { completedEntry, journal, outputRecord, runRecord, snapshotRecord } from './store-fixtures'
import { deleteDatabase, tempDatabaseName } from './temp-database'

/** Writes a database as version 1 of the schema laid it out (no `outputs` store). */
async function versionOneDatabase(name: string, pages: { runId: string; entries: JournalEntry[] }[]) {
  const db = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('definitions', { keyPath: ['id', 'version'] })
      const runs = db.createObjectStore('runs', { keyPath: 'runId' })
      runs.createIndex('status', ['status', 'createdAt'])
      runs.createIndex('definitionId', ['definitionId', 'createdAt'])
      runs.createIndex('updatedAt', 'updatedAt')
      runs.createIndex('createdAt', 'createdAt')
      db.createObjectStore('journal', { keyPath: ['runId', 'seq'] })
      db.createObjectStore('snapshots', { keyPath: ['runId', 'seq'] })
      db.createObjectStore('cache', { keyPath: 'key' }).createIndex('expiresAt', 'expiresAt')
      db.createObjectStore('schedules', { keyPath: 'scheduleId' })
    },
  })
  const tx = db.transaction(['runs', 'journal', 'snapshots'], 'readwrite')
  await tx.objectStore('runs').put(runRecord('r1', { seq: 4 }))
  for (const { runId, entries } of pages) {
    await tx.objectStore('journal').put({ runId, seq: entries[0]!.seq, last: entries.at(-1)!.seq, entries })
  }
  await tx.objectStore('snapshots').put(snapshotRecord('r1', 4))
  await tx.done
  db.close()
}

describe('the IndexedDB schema', () => {
  it('upgrades a version 1 database: existing data stays readable and outputs are indexed from the journal', async () => {
    const name = tempDatabaseName()
    const item: JournalEntry = {
      type: 'task.item-completed',
      runId: 'r1',
      seq: 3,
      at: 3,
      taskId: 'each',
      index: 0,
      output: 'x',
    }
    const undone = { ...completedEntry('r1', 4), rolledBack: true as const }
    const pages = [
      { runId: 'r1', entries: [completedEntry('r1', 1), completedEntry('r1', 2)] },
      { runId: 'r1', entries: [item, undone] },
      { runId: 'r2', entries: [completedEntry('r2', 1)] },
    ]
    await versionOneDatabase(name, pages)
    const store = indexedDbStore({ name })
    try {
      expect(await store.getRun('r1')).toEqual(runRecord('r1', { seq: 4 }))
      expect(await store.readJournal('r1')).toEqual([...pages[0]!.entries, item, undone])
      expect(await store.latestSnapshot('r1')).toEqual(snapshotRecord('r1', 4))
      expect(await store.readOutputs('r1')).toEqual([
        outputRecord('r1', 1),
        outputRecord('r1', 2),
        { runId: 'r1', key: 'each[0]', seq: 3, entry: item },
      ])
      expect(await store.readOutputs('r2')).toEqual([outputRecord('r2', 1)])
    } finally {
      await store.close()
      await deleteDatabase(name)
    }
  })

  it('upgrades a version 2 database: its runs stay readable and none is passive', async () => {
    const name = tempDatabaseName()
    const db = await openDB(name, 2, {
      upgrade(db) {
        const runs = db.createObjectStore('runs', { keyPath: 'runId' })
        runs.createIndex('status', ['status', 'createdAt'])
        runs.createIndex('definitionId', ['definitionId', 'createdAt'])
        runs.createIndex('updatedAt', 'updatedAt')
        runs.createIndex('createdAt', 'createdAt')
        for (const store of ['definitions', 'journal', 'snapshots', 'outputs', 'cache', 'schedules'])
          db.createObjectStore(store)
      },
    })
    await db.put('runs', runRecord('r1', { seq: 4 }))
    db.close()
    const store = indexedDbStore({ name })
    try {
      expect(await store.getRun('r1')).toEqual(runRecord('r1', { seq: 4 }))
      expect(await store.listWakeups()).toEqual([])
      await store.commit({ entries: [], runs: [runRecord('r1', { seq: 4, wakeAt: 9_000 })], snapshots: [] })
      expect(await store.listWakeups()).toEqual([{ runId: 'r1', wakeAt: 9_000 }])
    } finally {
      await store.close()
      await deleteDatabase(name)
    }
  })

  it('upgrades a version 3 database: its journal pages move, stay readable in seq order and keep refusing reused seqs', async () => {
    const name = tempDatabaseName()
    const db = await openDB(name, 3, {
      upgrade(db) {
        const runs = db.createObjectStore('runs', { keyPath: 'runId' })
        for (const index of ['status', 'definitionId']) runs.createIndex(index, [index, 'createdAt'])
        for (const index of ['updatedAt', 'createdAt', 'wakeAt']) runs.createIndex(index, index)
        db.createObjectStore('journal', { keyPath: ['runId', 'seq'] })
        db.createObjectStore('snapshots', { keyPath: ['runId', 'seq'] })
        db.createObjectStore('outputs', { keyPath: ['runId', 'key'] })
        for (const store of ['definitions', 'cache', 'schedules']) db.createObjectStore(store)
      },
    })
    const page = (runId: string, entries: JournalEntry[]) => ({
      runId,
      seq: entries[0]!.seq,
      last: entries.at(-1)!.seq,
      entries,
    })
    const tx = db.transaction(['runs', 'journal', 'snapshots', 'outputs'], 'readwrite')
    await tx.objectStore('runs').put(runRecord('r1', { seq: 5, epoch: 3 }))
    // Written out of seq order: the key orders them.
    await tx.objectStore('journal').put(page('r1', journal('r1', 2, 4)))
    await tx.objectStore('journal').put(page('r1', journal('r1', 3)))
    await tx.objectStore('journal').put(page('r2', journal('r2', 1)))
    await tx.objectStore('snapshots').put(snapshotRecord('r1', 3))
    await tx.objectStore('outputs').put(outputRecord('r1', 2))
    await tx.done
    db.close()
    const store = indexedDbStore({ name })
    try {
      expect(await store.readJournal('r1')).toEqual(journal('r1', 5))
      expect(await store.readJournal('r2')).toEqual(journal('r2', 1))
      expect(await store.readEntries('r1', [5, 1])).toEqual([
        completedEntry('r1', 1),
        completedEntry('r1', 5),
      ])
      expect(await store.readRestorePoints(['r1'])).toEqual([
        {
          runId: 'r1',
          snapshot: snapshotRecord('r1', 3),
          outputs: [outputRecord('r1', 2)],
          entries: journal('r1', 2, 4),
        },
      ])
      const reused = store.commit({ entries: [completedEntry('r1', 4, 'again')], runs: [], snapshots: [] })
      await expect(reused).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
      await store.commit({
        entries: journal('r1', 1, 6),
        runs: [],
        snapshots: [],
        fences: [{ runId: 'r1', epoch: 3 }],
      })
      expect((await store.readJournal('r1', 4)).map((e) => e.seq)).toEqual([5, 6])
      const upgraded = await openDB(name)
      expect([...upgraded.objectStoreNames]).not.toContain('journal')
      upgraded.close()
    } finally {
      await store.close()
      await deleteDatabase(name)
    }
  })

  it('upgrades a version 4 database: its runs and journals stay readable, and the inbox starts empty and fills', async () => {
    const name = tempDatabaseName()
    const db = await openDB(name, 4, {
      upgrade(db) {
        const runs = db.createObjectStore('runs', { keyPath: 'runId' })
        for (const index of ['status', 'definitionId']) runs.createIndex(index, [index, 'createdAt'])
        for (const index of ['updatedAt', 'createdAt', 'wakeAt']) runs.createIndex(index, index)
        db.createObjectStore('pages', { keyPath: ['runId', 'epoch', 'seq'] })
        db.createObjectStore('snapshots', { keyPath: ['runId', 'seq'] })
        db.createObjectStore('outputs', { keyPath: ['runId', 'key'] })
        db.createObjectStore('definitions', { keyPath: ['id', 'version'] })
        db.createObjectStore('cache', { keyPath: 'key' }).createIndex('expiresAt', 'expiresAt')
        db.createObjectStore('schedules', { keyPath: 'scheduleId' })
      },
    })
    const tx = db.transaction(['runs', 'pages'], 'readwrite')
    await tx.objectStore('runs').put(runRecord('r1', { seq: 2, definitionId: 'orders' }))
    await tx.objectStore('pages').put({ runId: 'r1', epoch: 0, seq: 1, last: 2, entries: journal('r1', 2) })
    await tx.done
    db.close()
    const store = indexedDbStore({ name })
    try {
      expect(await store.readJournal('r1')).toEqual(journal('r1', 2))
      expect(await store.listApprovals()).toEqual([])
      const j = approvalJournal('r1', 3)
      await commitEntries(store, 'r1', [j.required({ taskId: 'ok' }, { dueAt: 5 })])
      expect(await store.listApprovals({ status: ['open'] })).toMatchObject([
        { approvalId: 'r1:ok', definitionId: 'orders', status: 'open', dueAt: 5 },
      ])
      expect((await store.readJournal('r1')).map((e) => e.seq)).toEqual([1, 2, 3])
      const upgraded = await openDB(name)
      const { version } = upgraded
      const read = upgraded.transaction('approvals')
      const indexes = [...read.store.indexNames]
      await read.done
      upgraded.close()
      expect(version).toBe(SCHEMA_VERSION)
      expect(indexes.sort()).toEqual(['due', 'runId', 'status'])
    } finally {
      await store.close()
      await deleteDatabase(name)
    }
  })
  it('upgrades a version 5 database: its runs stay readable, and secrets start empty and are kept encrypted', async () => {
    const name = tempDatabaseName()
    const five = await openDB(name, 5, { upgrade: versionFiveLayout })
    await five.put('runs', runRecord('r1'))
    five.close()
    const store = indexedDbStore({ name })
    try {
      expect((await store.getRun('r1'))?.runId).toBe('r1')
      expect(await store.listSecrets()).toEqual([])
      expect(await store.listRoutes()).toEqual([])
      // Version 9: the event log starts empty, and the runs stored before wait for no event.
      expect(await store.listEvents('x', 0)).toEqual([])
      expect(await store.listEventWaiters('x')).toEqual([])
      await store.putSecret('token', 's3cr3t')
      expect(await store.getSecret('token')).toBe('s3cr3t')
      const upgraded = await openDB(name)
      const read = upgraded.transaction('secrets')
      const record = await read.store.get('token')
      await read.done
      upgraded.close()
      expect(upgraded.version).toBe(SCHEMA_VERSION)
      expect(Object.keys(record).sort()).toEqual(['data', 'iv', 'name'])
    } finally {
      await store.close()
      await deleteDatabase(name)
    }
  })

  it('upgrades a version 8 database: the result cache starts empty, counted and ordered by use', async () => {
    const name = tempDatabaseName()
    const eight = await openDB(name, 8, {
      upgrade(db) {
        // The whole version 8 layout: the steps after 8 change other stores than the cache too.
        versionFiveLayout(db)
        db.createObjectStore('secrets', { keyPath: 'name' })
        db.createObjectStore('keys', { keyPath: 'id' })
        db.createObjectStore('routes', { keyPath: 'routeId' })
        db.createObjectStore('emitted', { keyPath: 'mark' }).createIndex('routeId', 'routeId')
      },
    })
    const before = {
      key: 'k0',
      expiresAt: 5_000,
      action: 'a',
      definitionId: 'wf',
      runId: 'r0',
      taskId: 't',
      output: 1,
      createdAt: 0,
    }
    await eight.put('cache', before as never)
    eight.close()
    const store = indexedDbStore({ name })
    try {
      expect(await store.getCacheEntry('k0')).toBeUndefined()
      expect(await store.cacheBytes()).toBe(0)
      const entry = (key: string, lastUsedAt: number) => ({ ...before, key, bytes: 10, lastUsedAt })
      await store.putCacheEntry(entry('old', 1))
      await store.putCacheEntry(entry('new', 2), { maxBytes: 15 })
      expect(await store.getCacheEntry('old')).toBeUndefined()
      expect(await store.cacheBytes()).toBe(10)
      const upgraded = await openDB(name)
      const read = upgraded.transaction('cache')
      const indexes = [...read.store.indexNames].sort()
      // Closed once its transaction is done: a connection still closing blocks the delete below.
      await read.done
      upgraded.close()
      expect(indexes).toEqual(['expiresAt', 'lastUsedAt'])
      expect(upgraded.version).toBe(SCHEMA_VERSION)
    } finally {
      await store.close()
      await deleteDatabase(name)
    }
  })
})

/** The object stores and indexes of a version 5 database. */
function versionFiveLayout(db: IDBPDatabase<unknown>) {
  const runs = db.createObjectStore('runs', { keyPath: 'runId' })
  for (const index of ['status', 'definitionId']) runs.createIndex(index, [index, 'createdAt'])
  for (const index of ['updatedAt', 'createdAt', 'wakeAt']) runs.createIndex(index, index)
  db.createObjectStore('pages', { keyPath: ['runId', 'epoch', 'seq'] })
  db.createObjectStore('snapshots', { keyPath: ['runId', 'seq'] })
  db.createObjectStore('outputs', { keyPath: ['runId', 'key'] })
  db.createObjectStore('definitions', { keyPath: ['id', 'version'] })
  db.createObjectStore('cache', { keyPath: 'key' }).createIndex('expiresAt', 'expiresAt')
  db.createObjectStore('schedules', { keyPath: 'scheduleId' })
  const approvals = db.createObjectStore('approvals', { keyPath: 'approvalId' })
  approvals.createIndex('status', ['status', 'dueKey', 'createdAt', 'approvalId'])
  approvals.createIndex('due', ['dueKey', 'createdAt', 'approvalId'])
  approvals.createIndex('runId', 'runId')
}
