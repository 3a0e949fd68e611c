import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb'
import type { RunStatus } from '../types'
import { type JournalPage, UNFENCED } from './idb-journal-pages'
import { outputRecordOf } from './output-record'
import type { CacheEntry } from './ports/cache-store'
import type { EventLogRecord } from './ports/event-log-store'
import type { EmittedRecord, RouteRecord } from './ports/route-store'
import type { StoredSchedule } from './ports/schedule-store'
import type { SecretRecord } from './ports/secret-store'
import type { ApprovalRecord, OutputRecord, RunRecord, SnapshotRecord, StoredDefinition } from './store'

/**
 * The version of the IndexedDB schema below. Raise it (and add a step to `upgradeSchema`) when a
 * store or index changes; a tab still running the older code closes its connection when asked
 * (`blocking`), so the upgrade is never blocked for long.
 */
export const SCHEMA_VERSION = 10

/**
 * The typed layout of a Spindle database.
 *
 * Journal pages (version 4) are keyed `[runId, epoch, seq]`: one run's pages form one contiguous
 * key range, read in one range scan, and the pages a stale executor wrote after a claim lie
 * after the claim's mark in its epoch's part of it (see `livePages`).
 * Snapshots are keyed `[runId, seq]`, one run's forming one contiguous, ordered key range too.
 * The `status` and `definitionId` indexes carry `createdAt` as a second key part, so a filtered
 * `listRuns` walks one index newest first and stops at `limit` instead of sorting every run.
 * Output records (version 2) are keyed `[runId, key]`: one record per task (and per `forEach`
 * item), replaced when the task completes again after a rollback.
 * The `wakeAt` index (version 3) holds passive runs only, by the time they wake at.
 * Approvals (version 5) are keyed by `approvalId`; their `status` and `due` indexes end with the
 * key itself, so each index key is unique and in the inbox's order (`dueKey`, `createdAt`,
 * `approvalId`): a listing walks one index in order, in chunks, and stops at its `limit`.
 * Secrets (version 6) are keyed by name and hold only AES-GCM ciphertext; `keys` holds the
 * database's non-extractable `CryptoKey` that seals them (as a structured clone, which keeps it
 * non-extractable).
 * Event routes (version 8) are keyed by route id; `emitted` holds their dedupe marks, keyed
 * `<routeId>\u0000<key>`, with a `routeId` index for deleting a route's marks with it.
 * The log of emitted events (version 9), `events`, is keyed `<type>\u0000<id>`; its `type` index
 * (`[type, at]`) gives one type's events oldest first, `at` the expired ones, and `pending` the
 * events whose delivery an engine began and did not finish. The runs' `eventWaits` index
 * (multi-entry) holds the runs with open `wait-for-event` tasks with a `match`, by event type.
 * The result cache (version 10) has a `lastUsedAt` index keyed `[lastUsedAt, bytes]`: the
 * eviction order, with each entry's size in the key; `cacheUsage` holds the entries' total size.
 */
export interface SpindleDB extends DBSchema {
  definitions: { key: [id: string, version: string]; value: StoredDefinition }
  runs: {
    key: string
    value: RunRecord
    indexes: {
      status: [RunStatus, number]
      definitionId: [string, number]
      updatedAt: number
      createdAt: number
      wakeAt: number
      eventWaits: string
    }
  }
  pages: { key: [runId: string, epoch: number, seq: number]; value: JournalPage }
  snapshots: { key: [runId: string, seq: number]; value: SnapshotRecord }
  outputs: { key: [runId: string, key: string]; value: OutputRecord }
  cache: { key: string; value: CacheEntry; indexes: { expiresAt: number; lastUsedAt: [number, number] } }
  cacheUsage: { key: string; value: { id: string; bytes: number } }
  schedules: { key: string; value: StoredSchedule }
  approvals: {
    key: string
    value: ApprovalRecord
    indexes: {
      status: [ApprovalRecord['status'], number, number, string]
      due: [number, number, string]
      runId: string
    }
  }
  secrets: { key: string; value: SecretRecord }
  keys: { key: string; value: { id: string; key: CryptoKey } }
  routes: { key: string; value: RouteRecord }
  emitted: { key: string; value: EmittedRecord; indexes: { routeId: string } }
  events: {
    key: string
    value: EventLogRecord
    indexes: { type: [string, number]; at: number; pending: number }
  }
}

type UpgradeTransaction = IDBPTransaction<SpindleDB, StoreNames<SpindleDB>[], 'versionchange'>

/** The `upgrade` callback of `openDB`: brings a database from `oldVersion` to `SCHEMA_VERSION`. */
export function upgradeSchema(
  db: IDBPDatabase<SpindleDB>,
  oldVersion: number,
  _newVersion: number | null,
  tx: UpgradeTransaction,
): void {
  if (oldVersion < 1) {
    db.createObjectStore('definitions', { keyPath: ['id', 'version'] })
    const runs = db.createObjectStore('runs', { keyPath: 'runId' })
    runs.createIndex('status', ['status', 'createdAt'])
    runs.createIndex('definitionId', ['definitionId', 'createdAt'])
    runs.createIndex('updatedAt', 'updatedAt')
    runs.createIndex('createdAt', 'createdAt')
    db.createObjectStore('snapshots', { keyPath: ['runId', 'seq'] })
    const cache = db.createObjectStore('cache', { keyPath: 'key' })
    cache.createIndex('expiresAt', 'expiresAt')
    db.createObjectStore('schedules', { keyPath: 'scheduleId' })
  }
  if (oldVersion < 2) db.createObjectStore('outputs', { keyPath: ['runId', 'key'] })
  if (oldVersion < 3) {
    // Records without `wakeAt` (every run stored before version 3) stay out of it: none is passive.
    tx.objectStore('runs').createIndex('wakeAt', 'wakeAt')
  }
  if (oldVersion < 4) {
    db.createObjectStore('pages', { keyPath: ['runId', 'epoch', 'seq'] })
  }
  if (oldVersion < 5) {
    // Approvals were never projected before version 5: the inbox starts empty.
    const approvals = db.createObjectStore('approvals', { keyPath: 'approvalId' })
    approvals.createIndex('status', ['status', 'dueKey', 'createdAt', 'approvalId'])
    approvals.createIndex('due', ['dueKey', 'createdAt', 'approvalId'])
    approvals.createIndex('runId', 'runId')
  }
  if (oldVersion < 6) {
    // No secret was stored before version 6: the key is made when the first one is.
    db.createObjectStore('secrets', { keyPath: 'name' })
    db.createObjectStore('keys', { keyPath: 'id' })
  }
  // Checked by name, not only by version: the step stays right whichever other steps are merged before it.
  if (oldVersion < 8 && !db.objectStoreNames.contains('routes')) {
    db.createObjectStore('routes', { keyPath: 'routeId' })
    db.createObjectStore('emitted', { keyPath: 'mark' }).createIndex('routeId', 'routeId')
  }
  if (oldVersion < 9 && !db.objectStoreNames.contains('events')) {
    // Runs stored before version 9 have no `eventWaits`: none waited for an emitted event.
    tx.objectStore('runs').createIndex('eventWaits', 'eventWaits', { multiEntry: true })
    const events = db.createObjectStore('events', { keyPath: 'key' })
    events.createIndex('type', ['type', 'at'])
    events.createIndex('at', 'at')
    events.createIndex('pending', 'pending')
  }
  // Entries stored before version 10 have no size nor use time: the cache (only a cache) starts empty.
  if (oldVersion < 10 && !tx.objectStore('cache').indexNames.contains('lastUsedAt')) {
    const cache = tx.objectStore('cache')
    cache.clear().catch(() => abortUpgrade(tx))
    cache.createIndex('lastUsedAt', ['lastUsedAt', 'bytes'])
  }
  if (oldVersion < 10 && !db.objectStoreNames.contains('cacheUsage'))
    db.createObjectStore('cacheUsage', { keyPath: 'id' })
  // A failure aborts the upgrade, so `openDB` rejects: the caller's operation fails with
  // STORAGE_FAILED and the database stays at its version, readable as before.
  if (oldVersion >= 1 && oldVersion < 4) moveJournal(db, oldVersion, tx).catch(() => abortUpgrade(tx))
}

/**
 * Versions 1–3 → 4: copies the `journal` pages (keyed `[runId, seq]`) into `pages` as unfenced: each was fenced before it was written. Then drops
 * `journal`. From version 1, it also writes the output records of every entry not rolled back.
 */
async function moveJournal(
  db: IDBPDatabase<SpindleDB>,
  oldVersion: number,
  tx: UpgradeTransaction,
): Promise<void> {
  // `journal` is not in today's schema: the untyped transaction reads it.
  const untyped = tx as unknown as IDBPTransaction<unknown, string[], 'versionchange'>
  const pages = tx.objectStore('pages')
  const outputs = tx.objectStore('outputs')
  let cursor = await untyped.objectStore('journal').openCursor()
  while (cursor) {
    const { runId, seq, last, entries } = cursor.value as JournalPage
    const writes: Promise<unknown>[] = [pages.add({ runId, epoch: UNFENCED, seq, last, entries })]
    if (oldVersion < 2) {
      for (const entry of entries) {
        const output = entry.rolledBack ? undefined : outputRecordOf(entry)
        if (output) writes.push(outputs.put(output))
      }
    }
    await Promise.all(writes)
    cursor = await cursor.continue()
  }
  ;(db as unknown as IDBPDatabase).deleteObjectStore('journal')
}

function abortUpgrade(tx: UpgradeTransaction): void {
  try {
    tx.abort()
  } catch {
    // The failed request aborted the upgrade already.
  }
}

/** The key range of every `[runId, seq]` key of one run with `seq` in `(after, upTo]`. */
export function seqRange(runId: string, after = Number.NEGATIVE_INFINITY, upTo = Number.POSITIVE_INFINITY) {
  return IDBKeyRange.bound([runId, after], [runId, upTo], true, false)
}

/** The key range of every `[id, version]` key of one definition: `[id]` sorts before them, `[id, []]` after. */
export function versionsRange(id: string) {
  return IDBKeyRange.bound([id], [id, []])
}

/** The key range of every `[runId, key]` key of one run: `[runId]` sorts before them, `[runId, []]` after. */
export function runRange(runId: string) {
  return IDBKeyRange.bound([runId], [runId, []])
}

/** The key range of every `[prefix, number]` key: one value of a compound index, any second part. */
export function prefixRange(prefix: string) {
  return IDBKeyRange.bound([prefix, Number.NEGATIVE_INFINITY], [prefix, Number.POSITIVE_INFINITY])
}
