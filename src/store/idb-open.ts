import { type IDBPDatabase, type OpenDBCallbacks, openDB, wrap } from 'idb'
import type { SpindleDB } from './idb-schema'

/**
 * `idb`'s `openDB`, on `factory` when one is given: `openDB` always opens through the global
 * `indexedDB`, and a storage bucket (`navigator.storageBuckets.open(name, { quota })`) has an
 * `IDBFactory` of its own, with its own quota.
 */
export function openDatabase(
  factory: IDBFactory | undefined,
  name: string,
  version: number,
  { upgrade, blocked, blocking, terminated }: OpenDBCallbacks<SpindleDB>,
): Promise<IDBPDatabase<SpindleDB>> {
  if (!factory) return openDB<SpindleDB>(name, version, { upgrade, blocked, blocking, terminated })
  const request = factory.open(name, version)
  const opening = wrap(request) as unknown as Promise<IDBPDatabase<SpindleDB>>
  if (upgrade) {
    request.addEventListener('upgradeneeded', (event) => {
      upgrade(
        wrap(request.result) as unknown as IDBPDatabase<SpindleDB>,
        event.oldVersion,
        event.newVersion,
        wrap(request.transaction!) as never,
        event,
      )
    })
  }
  if (blocked)
    request.addEventListener('blocked', (event) =>
      blocked(
        (event as IDBVersionChangeEvent).oldVersion,
        (event as IDBVersionChangeEvent).newVersion,
        event as IDBVersionChangeEvent,
      ),
    )
  opening.then(
    (db) => {
      if (terminated) db.addEventListener('close', () => terminated())
      if (blocking)
        db.addEventListener('versionchange', (event) => blocking(event.oldVersion, event.newVersion, event))
    },
    // The caller hears of a failed open from `opening` itself.
    () => undefined,
  )
  return opening
}
