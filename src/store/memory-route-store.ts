import type { EmittedRecord, RouteRecord, RouteStore } from './ports/route-store'

/** The `RouteStore` of a memory store: two maps, values structured-cloned in and out. */
export function memoryRouteStore(): RouteStore {
  const routes = new Map<string, RouteRecord>()
  const emitted = new Map<string, EmittedRecord>()
  return {
    async putRoute(record: RouteRecord): Promise<void> {
      routes.set(record.routeId, structuredClone(record))
    },

    async deleteRoute(routeId: string): Promise<boolean> {
      for (const [mark, record] of emitted) if (record.routeId === routeId) emitted.delete(mark)
      return routes.delete(routeId)
    },

    async listRoutes(): Promise<RouteRecord[]> {
      return [...routes.values()]
        .sort((a, b) => (a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : 0))
        .map((record) => structuredClone(record))
    },

    async getEmitted(mark: string): Promise<EmittedRecord | undefined> {
      const record = emitted.get(mark)
      return record && structuredClone(record)
    },

    async putEmitted(record: EmittedRecord): Promise<void> {
      const stored = emitted.get(record.mark)
      if (stored && stored.generation > record.generation) return
      emitted.set(record.mark, structuredClone(record))
    },
  }
}
