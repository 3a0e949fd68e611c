import { deleteDB } from 'idb'
import type { Store } from 'spindle'
import { afterEach } from 'vitest'
import { type IndexedDbStoreOptions, indexedDbStore } from '../../src/store/indexeddb-store'
import { closeTestEngines } from '../support/engine-fixtures'

/** A database name no other test uses: `<prefix>-<uuid>`. */
export function tempDatabaseName(prefix = 't'): string {
  return `${prefix}-${crypto.randomUUID()}`
}

/**
 * Deletes a test database. Rejects when a connection to it is still open (the deletion would
 * wait for it forever): close every store on the database first.
 *
 * @example
 * const name = tempDatabaseName()
 * const store = indexedDbStore({ name })
 * // …
 * await store.close()
 * await deleteDatabase(name)
 */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    deleteDB(name, {
      blocked: () => reject(new Error(`Database "${name}" is still open somewhere; close its stores first.`)),
    }).then(resolve, reject)
  })
}

/**
 * Opens IndexedDB stores on throw-away databases and, after each test, closes them and deletes
 * their databases. Call it once at the top of a `describe`.
 *
 * @example
 * const temp = tempStores()
 * it('…', async () => {
 *   const store = temp.open()              // a new database
 *   const same = temp.open(store.name)     // a second connection to it
 * })
 */
export function tempStores() {
  const stores: Store[] = []
  const names = new Set<string>()
  afterEach(async () => {
    // Engines on these databases close first: one still running would reopen its connection.
    await closeTestEngines()
    await Promise.all(stores.splice(0).map((store) => store.close()))
    await Promise.all([...names].map((name) => deleteDatabase(name)))
    names.clear()
  })
  return {
    open(name = tempDatabaseName(), options: Omit<IndexedDbStoreOptions, 'name'> = {}): Store {
      const store = indexedDbStore({ name, ...options })
      stores.push(store)
      names.add(name)
      return store
    },
  }
}
