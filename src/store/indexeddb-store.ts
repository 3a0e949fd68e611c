import { ArgumentError } from '../errors'
import { idbApprovalStore } from './idb-approval-store'
import { idbCacheStore } from './idb-cache-store'
import { IdbConnection } from './idb-connection'
import { idbDefinitionStore } from './idb-definition-store'
import { idbEventLog } from './idb-event-log'
import { idbJournalStore } from './idb-journal-store'
import { idbRouteStore } from './idb-route-store'
import { idbRunStore } from './idb-run-store'
import { idbScheduleStore } from './idb-schedule-store'
import { idbSecretStore } from './idb-secret-store'
import type { Store } from './store'
import { checkOptions } from './store-arguments'

export interface IndexedDbStoreOptions {
  /** The IndexedDB database name (and the `<db>` part of the run lock names). Default `'spindle'`. */
  name?: string
  /**
   * How hard each write transaction waits for the disk. `'strict'` (the default) reports a write
   * complete only once the browser has flushed it to persistent storage. `'relaxed'` reports it
   * complete once the browser has it in its own process: faster, and a tab crash or a killed
   * renderer still loses nothing, but an operating-system crash or a power loss right after may
   * lose writes already reported durable, including a `task.completed` already published.
   * Browsers differ in what they do when no durability is asked for, so the store always asks.
   */
  durability?: 'strict' | 'relaxed'
  /**
   * The `IDBFactory` the database is opened with. Default: the global `indexedDB`. A storage
   * bucket's (`(await navigator.storageBuckets.open('spindle', { quota })).indexedDB`, Chromium)
   * keeps the engine's data under a quota of its own: when it is used up, runs pause with
   * `STORAGE_FAILED` `reason: 'quota'` while the rest of the site keeps its space.
   */
  indexedDB?: IDBFactory
}

/**
 * A `Store` kept in IndexedDB (through `idb`): definitions, runs, journals and snapshots survive
 * reloads, crashes and browser restarts. The database opens on first use, one connection per
 * store object, shared by its definition, run and journal ports; it closes itself when another
 * tab needs to upgrade the schema, and reopens on the next call. Every failure rejects with a `StorageError` (`STORAGE_FAILED`) that keeps the
 * browser's error as `cause`; a rejected `commit` or `rollBack` wrote nothing.
 *
 * @example
 * const engine = createEngine({ store: indexedDbStore({ name: 'orders' }) })
 * @example
 * // Faster group commits, at the risk described under `durability`:
 * const store = indexedDbStore({ durability: 'relaxed' })
 */
const INDEXED_DB_STORE_OPTIONS = { name: true, durability: true, indexedDB: true } as const satisfies Record<
  keyof IndexedDbStoreOptions,
  true
>

export function indexedDbStore(options: IndexedDbStoreOptions = {}): Store {
  checkOptions('indexedDbStore', options, INDEXED_DB_STORE_OPTIONS)
  const { name = 'spindle', durability = 'strict' } = options
  if (typeof name !== 'string' || name === '') {
    throw new ArgumentError(
      `indexedDbStore: "name" must be a non-empty string; got ${JSON.stringify(name)}.`,
      {
        value: name,
      },
    )
  }
  if (durability !== 'strict' && durability !== 'relaxed') {
    throw new ArgumentError(
      `indexedDbStore: "durability" must be 'strict' or 'relaxed'; got ${JSON.stringify(durability)}.`,
      { value: durability },
    )
  }
  const factory = options.indexedDB
  if (factory !== undefined && typeof (factory as { open?: unknown }).open !== 'function') {
    throw new ArgumentError(
      'indexedDbStore: "indexedDB" must be an IDBFactory (the global indexedDB, or a storage bucket\'s bucket.indexedDB).',
      { value: factory },
    )
  }
  const db = new IdbConnection(name, durability, undefined, factory)
  return {
    name,
    ...idbDefinitionStore(db),
    ...idbRunStore(db, name),
    ...idbJournalStore(db),
    ...idbApprovalStore(db),
    ...idbSecretStore(db, name),
    ...idbRouteStore(db),
    ...idbEventLog(db),
    ...idbScheduleStore(db),
    ...idbCacheStore(db),
    countRecords: () => db.countAll(),
    close: () => db.close(),
  }
}
