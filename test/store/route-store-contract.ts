import type { Store } from 'spindle'
import { describe, expect, it } from 'vitest'

/** The `RouteStore` behaviour every store shows: routes in and out by id, dedupe marks kept per key. */
export function routeStoreContract(store: () => Store): void {
  describe('RouteStore', () => {
    it('lists routes in id order, replaces one by id, and deletes one with its marks', async () => {
      await store().putRoute({ routeId: 'b', spec: { event: 'x', workflow: 'w' }, createdAt: 1 })
      await store().putRoute({ routeId: 'a', spec: { event: 'y.*', workflow: 'w' }, createdAt: 2 })
      await store().putRoute({ routeId: 'b', spec: { event: 'z', workflow: 'w' }, createdAt: 3 })
      expect(await store().listRoutes()).toEqual([
        { routeId: 'a', spec: { event: 'y.*', workflow: 'w' }, createdAt: 2 },
        { routeId: 'b', spec: { event: 'z', workflow: 'w' }, createdAt: 3 },
      ])
      await store().putEmitted({ mark: 'b\u0000k', routeId: 'b', generation: 0, runId: 'route:b:k', at: 5 })
      await store().putEmitted({ mark: 'a\u0000k', routeId: 'a', generation: 0, runId: 'route:a:k', at: 5 })
      expect(await store().deleteRoute('b')).toBe(true)
      expect(await store().deleteRoute('b')).toBe(false)
      expect((await store().listRoutes()).map((r) => r.routeId)).toEqual(['a'])
      expect(await store().getEmitted('b\u0000k')).toBeUndefined()
      expect(await store().getEmitted('a\u0000k')).toMatchObject({ runId: 'route:a:k' })
    })

    it('keeps the dedupe mark of the later generation', async () => {
      const mark = 'r\u0000key'
      expect(await store().getEmitted(mark)).toBeUndefined()
      await store().putEmitted({ mark, routeId: 'r', generation: 1, runId: 'route:r:key:1', at: 20 })
      await store().putEmitted({ mark, routeId: 'r', generation: 0, runId: 'route:r:key', at: 10 })
      expect(await store().getEmitted(mark)).toEqual({
        mark,
        routeId: 'r',
        generation: 1,
        runId: 'route:r:key:1',
        at: 20,
      })
      await store().putEmitted({ mark, routeId: 'r', generation: 2, runId: 'route:r:key:2', at: 30 })
      expect((await store().getEmitted(mark))?.generation).toBe(2)
    })
  })
}
