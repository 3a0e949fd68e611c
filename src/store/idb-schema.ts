import type { DBSchema, IDBPDatabase } from 'idb'
import type { RunStatus } from '../types'
import type { JournalEntry, RunRecord, SnapshotRecord, StoredDefinition } from './store'

/**
 * The entries one commit wrote for one run, stored as one record: IndexedDB pays per request,
 * so a group commit of 2,000 entries is one put per run, not 2,000.
 */
export interface JournalPage {
  runId: string
  /** The first entry's seq (the page's key with `runId`). */
  seq: number
  /** The last entry's seq. */
  last: number
  entries: JournalEntry[]
}

/**
 * The version of the IndexedDB schema below. Raise it (and add a step to `upgradeSchema`) when a
 * store or index changes; a tab still running the older code closes its connection when asked
 * (`blocking`), so the upgrade is never blocked for long.
 */
export const SCHEMA_VERSION = 1

/** A cross-run result cache entry. Its other fields belong to the result cache module. */
export interface CacheRecord {
  key: string
  /** Absolute time (ms since epoch) after which the entry is stale. */
  expiresAt: number
  [field: string]: unknown
}

/** A stored schedule. Its other fields belong to the schedules module. */
export interface ScheduleRecord {
  scheduleId: string
  [field: string]: unknown
}

/**
 * The typed layout of a Spindle database.
 *
 * Journal pages and snapshots are keyed `[runId, seq]`, so one run's journal forms one
 * contiguous, ordered key range: reading it is a single range scan.
 * The `status` and `definitionId` indexes carry `createdAt` as a second key part, so a filtered
 * `listRuns` walks one index newest first and stops at `limit` instead of sorting every run.
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
    }
  }
  journal: { key: [runId: string, seq: number]; value: JournalPage }
  snapshots: { key: [runId: string, seq: number]; value: SnapshotRecord }
  cache: { key: string; value: CacheRecord; indexes: { expiresAt: number } }
  schedules: { key: string; value: ScheduleRecord }
}

/** The `upgrade` callback of `openDB`: brings a database from `oldVersion` to `SCHEMA_VERSION`. */
export function upgradeSchema(db: IDBPDatabase<SpindleDB>, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore('definitions', { keyPath: ['id', 'version'] })
    const runs = db.createObjectStore('runs', { keyPath: 'runId' })
    runs.createIndex('status', ['status', 'createdAt'])
    runs.createIndex('definitionId', ['definitionId', 'createdAt'])
    runs.createIndex('updatedAt', 'updatedAt')
    runs.createIndex('createdAt', 'createdAt')
    db.createObjectStore('journal', { keyPath: ['runId', 'seq'] })
    db.createObjectStore('snapshots', { keyPath: ['runId', 'seq'] })
    const cache = db.createObjectStore('cache', { keyPath: 'key' })
    cache.createIndex('expiresAt', 'expiresAt')
    db.createObjectStore('schedules', { keyPath: 'scheduleId' })
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
