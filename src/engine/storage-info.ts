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
