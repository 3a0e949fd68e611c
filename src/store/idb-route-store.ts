import type { IdbConnection } from './idb-connection'
import type { EmittedRecord, RouteRecord, RouteStore } from './ports/route-store'

/**
 * The `RouteStore` of an IndexedDB database: `routes` keyed by route id, `emitted` keyed by
 * mark with a `routeId` index, so deleting a route deletes its marks in the same transaction.
 */
export function idbRouteStore(db: IdbConnection): RouteStore {
  return {
    async putRoute(record: RouteRecord): Promise<void> {
      await db.write('putRoute', ['routes'], async (tx) => {
        await tx.objectStore('routes').put(record)
      })
    },

    deleteRoute(routeId: string): Promise<boolean> {
      return db.write('deleteRoute', ['routes', 'emitted'], async (tx) => {
        const marks = await tx.objectStore('emitted').index('routeId').getAllKeys(routeId)
        for (const mark of marks) await tx.objectStore('emitted').delete(mark)
        const routes = tx.objectStore('routes')
        if ((await routes.getKey(routeId)) === undefined) return false
        await routes.delete(routeId)
        return true
      })
    },

    listRoutes(): Promise<RouteRecord[]> {
      return db.read('listRoutes', ['routes'], (tx) => tx.objectStore('routes').getAll())
    },

    getEmitted(mark: string): Promise<EmittedRecord | undefined> {
      return db.read('getEmitted', ['emitted'], (tx) => tx.objectStore('emitted').get(mark))
    },

    async putEmitted(record: EmittedRecord): Promise<void> {
      await db.write('putEmitted', ['emitted'], async (tx) => {
        const emitted = tx.objectStore('emitted')
        const stored = await emitted.get(record.mark)
        if (stored && stored.generation > record.generation) return
        await emitted.put(record)
      })
    },
  }
}
