import { InvalidStateError } from '../errors'
import type { Store } from '../store/store'
import type { StorageInfo } from './engine-types'

/**
 * What `Engine.storage()` reports: the origin's usage and quota and whether its storage is
 * persisted (from `navigator.storage`, left out where the browser does not say), and the records
 * of each store of the engine's database.
 */
export async function storageInfo(store: Store): Promise<StorageInfo> {
  const manager = globalThis.navigator?.storage as StorageManager | undefined
  const [estimate, persisted, counts] = await Promise.all([
    typeof manager?.estimate === 'function' ? manager.estimate() : undefined,
    typeof manager?.persisted === 'function' ? manager.persisted() : undefined,
    store.countRecords(),
  ])
  const stores: StorageInfo['stores'] = {}
  for (const [name, records] of Object.entries(counts)) stores[name] = { records }
  return {
    ...(estimate?.usage !== undefined && { usage: estimate.usage }),
    ...(estimate?.quota !== undefined && { quota: estimate.quota }),
    ...(persisted !== undefined && { persisted }),
    stores,
  }
}

/**
 * Asks the browser to keep this origin's storage under storage pressure (`navigator.storage.persist()`),
 * which only a page may ask: resolves to whether it is persisted. In a worker it is an
 * `InvalidStateError` that says to call it on the page's engine (`connectEngine` does it there).
 */
export async function requestStoragePersistence(): Promise<boolean> {
  const manager = globalThis.navigator?.storage as StorageManager | undefined
  if (
    typeof (globalThis as { document?: unknown }).document === 'undefined' ||
    typeof manager?.persist !== 'function'
  ) {
    throw new InvalidStateError(
      'requestPersistence: navigator.storage.persist() can only be called on a page, not in a worker. Call requestPersistence() on the engine connectEngine() returned on the page.',
      { value: 'requestPersistence' },
    )
  }
  return manager.persist()
}
