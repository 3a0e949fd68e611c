import type { ApprovalStore } from './ports/approval-store'
import type { CacheStore } from './ports/cache-store'
import type { DefinitionStore } from './ports/definition-store'
import type { EventLogStore } from './ports/event-log-store'
import type { JournalStore } from './ports/journal-store'
import type { RouteStore } from './ports/route-store'
import type { RunStore } from './ports/run-store'
import type { ScheduleStore } from './ports/schedule-store'
import type { SecretStore } from './ports/secret-store'

export type { ApprovalQuery, ApprovalRecord, ApprovalStore } from './ports/approval-store'
export type { CacheEntry, CacheFilter, CacheRoom, CacheStore } from './ports/cache-store'
export type { DefinitionStore, StoredDefinition } from './ports/definition-store'
export type { EventLogRecord, EventLogStore } from './ports/event-log-store'
export type {
  CommitBatch,
  JournalEntry,
  JournalStore,
  OutputRecord,
  RestorePoint,
  SnapshotRecord,
} from './ports/journal-store'
export type { EmittedRecord, RouteRecord, RouteStore } from './ports/route-store'
export type { RunQuery, RunRecord, RunStore, Wakeup } from './ports/run-store'
export type { ScheduleRevision, ScheduleState, ScheduleStore, StoredSchedule } from './ports/schedule-store'
export type { SecretRecord, SecretStore } from './ports/secret-store'

/**
 * The storage port. The engine keeps everything durable through it: definitions
 * (`DefinitionStore`), run records (`RunStore`), and the per-run journal, snapshots and output
 * records (`JournalStore`), the approvals inbox its commits project (`ApprovalStore`), and the
 * secrets, encrypted (`SecretStore`), all in one database. `memoryStore()` and `indexedDbStore()` implement it.
 *
 * Every method either completes or rejects with a `StorageError` (`STORAGE_FAILED`), or a
 * `StaleExecutorError` when a fenced write meets a newer epoch. A rejected `commit` wrote nothing.
 * Values are stored as structured clones: a caller may mutate what it passed to `putDefinition`
 * and `createRun` afterwards, and what it reads. `commit` takes its batch over instead: the
 * journal writer hands it fresh objects and never touches them again, so a store may keep them
 * without a copy (the memory store does; copying every small batch was its largest cost).
 */
export type Store = DefinitionStore &
  RunStore &
  JournalStore &
  ApprovalStore &
  SecretStore &
  RouteStore &
  EventLogStore &
  ScheduleStore &
  CacheStore & {
    /** Names the database; part of the Web Lock names (`spindle:<name>:run:<runId>`). */
    readonly name: string
    /**
     * How many records each of its stores holds (for `Engine.storage()`): every object store of
     * the database, by name, counted in one read.
     */
    countRecords(): Promise<Record<string, number>>
    close(): Promise<void>
  }
