import { InvalidStateError } from './errors'

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
