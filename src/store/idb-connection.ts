import { type IDBPDatabase, type IDBPTransaction, type StoreNames, unwrap } from 'idb'
import { StorageError } from '../errors'
import { openDatabase } from './idb-open'
import { SCHEMA_VERSION, type SpindleDB, upgradeSchema } from './idb-schema'
import { toStorageError } from './to-storage-error'

type Names = StoreNames<SpindleDB>
export type Tx<N extends Names[], M extends IDBTransactionMode> = IDBPTransaction<SpindleDB, N, M>

/**
 * One store object's connection to its database: opened on first use, closed when another tab
 * needs to upgrade the schema, reopened on the next call after that (or after `close()`, or after
 * the browser dropped it). Runs each operation in one transaction and turns every failure into a
 * `StorageError`.
 */
export class IdbConnection {
  readonly #name: string
  readonly #durability: 'strict' | 'relaxed'
  readonly #version: number
  readonly #factory: IDBFactory | undefined
  #connection: Promise<IDBPDatabase<SpindleDB>> | undefined

  /**
   * `version` is the schema version to open (tests open a newer one to try upgrades); `factory`
   * the `IDBFactory` to open it with (default: the global `indexedDB`).
   */
  constructor(
    name: string,
    durability: 'strict' | 'relaxed',
    version = SCHEMA_VERSION,
    factory?: IDBFactory,
  ) {
    this.#name = name
    this.#durability = durability
    this.#version = version
    this.#factory = factory
  }

  read<N extends Names[], T>(operation: string, names: N, work: (tx: Tx<N, 'readonly'>) => Promise<T>) {
    return this.#run(operation, names, 'readonly', work)
  }

  write<N extends Names[], T>(operation: string, names: N, work: (tx: Tx<N, 'readwrite'>) => Promise<T>) {
    return this.#run(operation, names, 'readwrite', work)
  }

  /** The records of every object store of the database, by store name, counted in one read. */
  async countAll(): Promise<Record<string, number>> {
    try {
      const tx = await this.#begin((db) => db.transaction([...db.objectStoreNames], 'readonly'))
      const names = [...tx.objectStoreNames]
      const counts = await Promise.all(names.map((name) => tx.objectStore(name).count()))
      // Settled before it resolves, as every other read: a close() right after finds no transaction open.
      await tx.done
      return Object.fromEntries(names.map((name, i) => [name, counts[i]!]))
    } catch (error) {
      throw toStorageError(error, this.#name, 'countRecords')
    }
  }

  async close(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    if (connection) (await connection.catch(() => undefined))?.close()
  }

  /** The open connection, opened now if there is none (first use, or after it was closed). */
  #open(): Promise<IDBPDatabase<SpindleDB>> {
    if (this.#connection) return this.#connection
    let refuse: (error: StorageError) => void = () => {}
    const blocked = new Promise<never>((_, reject) => {
      refuse = reject
    })
    const opening = openDatabase(this.#factory, this.#name, this.#version, {
      upgrade: upgradeSchema,
      // Another connection on an older version did not close for the upgrade (a tab running an
      // older build that ignores versionchange): the open would wait for it, silently, forever.
      blocked: (current) => {
        refuse(
          new StorageError(
            `IndexedDB database "${this.#name}" cannot be upgraded to schema version ${this.#version}: it is blocked by another connection on version ${current} that does not close (another tab or worker of this app). Close or reload the other tabs, then retry.`,
            { value: { database: this.#name, version: this.#version, current } },
          ),
        )
      },
      // Close at once, inside the versionchange event: a connection still open when the event
      // returns makes the other tab's upgrade wait ("blocked") until this tab goes away.
      blocking: (_current, _blocked, event) => {
        ;(event.target as IDBDatabase).close()
        this.#forget(connection)
      },
      terminated: () => this.#forget(connection),
    })
    const connection = Promise.race([opening, blocked])
    // A connection given up as blocked may still open later: nothing uses it, so close it.
    opening.then(
      (db) => {
        if (this.#connection !== connection) db.close()
      },
      () => this.#forget(connection),
    )
    connection.catch(() => this.#forget(connection))
    this.#connection = connection
    return connection
  }

  #forget(connection: Promise<IDBPDatabase<SpindleDB>>): void {
    if (this.#connection === connection) this.#connection = undefined
  }

  #transaction<N extends Names[], M extends IDBTransactionMode>(names: N, mode: M): Promise<Tx<N, M>> {
    const options = { durability: this.#durability }
    return this.#begin((db) => db.transaction(names, mode, options))
  }

  /** Begins a transaction with `begin` on the open connection. */
  async #begin<T>(begin: (db: IDBPDatabase<SpindleDB>) => T): Promise<T> {
    const connection = this.#open()
    try {
      return begin(await connection)
    } catch (error) {
      // The connection closed between opening and use (another tab's upgrade, or the browser):
      // open a fresh one once. A second failure is real and reported.
      if ((error as Error).name !== 'InvalidStateError') throw error
      this.#forget(connection)
      return begin(await this.#open())
    }
  }

  /**
   * `write` on a plain IndexedDB transaction, not wrapped by `idb`, for the commit: a durable
   * step's one transaction, where a wrapper's promises and listeners are a visible share of the
   * step. `work` resolves only once the transaction has ended; a throw aborts it.
   */
  async writePlain<T>(
    operation: string,
    names: Names[],
    work: (tx: IDBTransaction) => Promise<T>,
  ): Promise<T> {
    try {
      const options = { durability: this.#durability }
      const tx = await this.#begin((db) => unwrap(db).transaction(names, 'readwrite', options))
      try {
        return await work(tx)
      } catch (error) {
        abort(tx)
        throw quotaOf(tx) ?? error
      }
    } catch (error) {
      throw toStorageError(error, this.#name, operation)
    }
  }

  /**
   * Runs `work` in one transaction and resolves after the transaction completed. When `work`
   * throws (a refused fence, a value that cannot be cloned), the transaction is aborted, so none
   * of the requests it made are kept: a synchronous throw from `put` alone would not abort it.
   */
  async #run<N extends Names[], M extends IDBTransactionMode, T>(
    operation: string,
    names: N,
    mode: M,
    work: (tx: Tx<N, M>) => Promise<T>,
  ): Promise<T> {
    try {
      const tx = await this.#transaction(names, mode)
      quiet(tx.done)
      try {
        const result = await work(tx)
        await tx.done
        return result
      } catch (error) {
        abort(tx)
        throw quotaOf(tx) ?? error
      }
    } catch (error) {
      throw toStorageError(error, this.#name, operation)
    }
  }
}

/**
 * Marks a request's failure as handled before it is awaited: when a later request in the same
 * batch throws synchronously (a `DataCloneError`), the earlier ones are never awaited, and their
 * rejections after the abort must not surface as unhandled. Failures still reach the caller
 * through the `Promise.all` that awaits them, which names the failing request's error (`tx.done`
 * alone would only say `AbortError`).
 */
export function quiet<T>(request: Promise<T>): Promise<T> {
  request.catch(() => {})
  return request
}

/**
 * The quota error a transaction aborted with: its requests reject with `AbortError`, which alone
 * would hide that the disk is full.
 */
function quotaOf(tx: { readonly error: DOMException | null }): DOMException | undefined {
  const error = tx.error
  return error?.name === 'QuotaExceededError' ? error : undefined
}

function abort(tx: { abort(): void }): void {
  try {
    tx.abort()
  } catch {
    // Already committed or aborted: nothing left to undo.
  }
}
