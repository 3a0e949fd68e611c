import { openDB } from 'idb'
import { median } from './measure'
import { dropDatabase, scratchDatabaseName } from './scratch-database'

/**
 * The floor of a durable step: wall times (ms) of `count` bare IndexedDB readwrite transactions,
 * one after another on a plain database opened with `idb`, each putting one small record with
 * durability `'strict'` and awaited until `tx.done`. `warmup` transactions first are not kept.
 * The database is deleted afterwards.
 */
export async function timeBareCommits(count: number, warmup: number): Promise<number[]> {
  const name = scratchDatabaseName('bare-commit')
  const db = await openDB(name, 1, {
    upgrade: (database) => {
      database.createObjectStore('records')
    },
  })
  try {
    const samples: number[] = []
    for (let i = 0; i < warmup + count; i++) {
      const begin = performance.now()
      const tx = db.transaction('records', 'readwrite', { durability: 'strict' })
      await Promise.all([tx.store.put({ seq: i, at: Date.now(), note: 'bench' }, i), tx.done])
      if (i >= warmup) samples.push(performance.now() - begin)
    }
    return samples
  } finally {
    db.close()
    await dropDatabase(name)
  }
}

/** What one strict transaction of `entries` small journal-like records costs, by how they are put. */
export interface BulkWrite {
  entries: number
  /** One `put` per entry (as the journal stores them), median ms per transaction. */
  separatePutsMs: number
  /** The part of `separatePutsMs` spent issuing the puts on this thread, median ms. */
  issuingMs: number
  /** All entries in one record with one `put`, median ms per transaction. */
  onePutMs: number
}

/**
 * The floor of a large group commit: `reps` strict transactions of `entries` small records on a
 * plain `idb` database, once as one put per record and once as a single put of them all. Tells
 * how much of a wide run's commit time is the number of IndexedDB requests rather than the bytes.
 */
export async function timeBulkWrites(entries: number, reps: number): Promise<BulkWrite> {
  const name = scratchDatabaseName('bulk-write')
  const db = await openDB(name, 1, {
    upgrade: (database) => {
      database.createObjectStore('entries', { keyPath: ['runId', 'seq'] })
      database.createObjectStore('pages')
    },
  })
  const batch = (rep: number) =>
    Array.from({ length: entries }, (_, k) => ({
      type: 'task.completed',
      runId: 'bulk',
      seq: rep * entries + k + 1,
      at: Date.now(),
      taskId: `t${String(k).padStart(5, '0')}`,
      attempt: 1,
    }))
  try {
    const separate: number[] = []
    const issuing: number[] = []
    const single: number[] = []
    // The first of each kind warms up and is not kept.
    for (let rep = 0; rep <= reps; rep++) {
      const records = batch(rep)
      const begin = performance.now()
      const tx = db.transaction('entries', 'readwrite', { durability: 'strict' })
      const puts = records.map((record) => tx.store.put(record))
      const issued = performance.now()
      await Promise.all([...puts, tx.done])
      if (rep > 0) separate.push(performance.now() - begin)
      if (rep > 0) issuing.push(issued - begin)
    }
    for (let rep = 0; rep <= reps; rep++) {
      const records = batch(rep)
      const begin = performance.now()
      const tx = db.transaction('pages', 'readwrite', { durability: 'strict' })
      await Promise.all([tx.store.put(records, rep), tx.done])
      if (rep > 0) single.push(performance.now() - begin)
    }
    return { entries, separatePutsMs: median(separate), issuingMs: median(issuing), onePutMs: median(single) }
  } finally {
    db.close()
    await dropDatabase(name)
  }
}
