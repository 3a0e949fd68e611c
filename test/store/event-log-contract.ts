import type { Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { runRecord } from './store-fixtures'

const event = (type: string, id: string, at: number, data: unknown = null) => ({
  key: `${type}\u0000${id}`,
  type,
  id,
  data,
  at,
})

/** The `EventLogStore` behaviour every store shows, and the runs it finds by `eventWaits`. */
export function eventLogContract(store: () => Store): void {
  describe('EventLogStore', () => {
    it('logs an event id of a type once, and lists one type from a time on, oldest first', async () => {
      expect(await store().appendEvent(event('paid', 'b', 20, { n: 1 }))).toBe(true)
      expect(await store().appendEvent(event('paid', 'a', 20))).toBe(true)
      expect(await store().appendEvent(event('paid', 'old', 5))).toBe(true)
      expect(await store().appendEvent(event('sent', 'a', 30))).toBe(true)
      expect(await store().appendEvent(event('paid', 'b', 40, { n: 2 }))).toBe(false)
      const listed = await store().listEvents('paid', 10)
      expect(listed.map((e) => e.id)).toEqual(['a', 'b'])
      expect(listed[1]).toMatchObject({ type: 'paid', id: 'b', at: 20, data: { n: 1 } })
      expect((await store().listEvents('paid', 0)).map((e) => e.id)).toEqual(['old', 'a', 'b'])
      expect(await store().listEvents('none', 0)).toEqual([])
    })

    it('keeps an event pending until settled, and deletes the events before a time', async () => {
      await store().appendEvent(event('x', '2', 20))
      await store().appendEvent(event('x', '1', 10))
      expect((await store().listPendingEvents()).map((e) => e.id)).toEqual(['1', '2'])
      await store().settleEvent('x\u00001')
      await store().settleEvent('x\u0000missing')
      expect((await store().listPendingEvents()).map((e) => e.id)).toEqual(['2'])
      expect((await store().listEvents('x', 0)).map((e) => e.pending)).toEqual([undefined, 1])
      expect(await store().deleteEvents(20)).toBe(1)
      expect((await store().listEvents('x', 0)).map((e) => e.id)).toEqual(['2'])
    })

    it('finds the runs whose record waits for an event type', async () => {
      await store().createRun({ ...runRecord('r1'), eventWaits: ['a', 'b'] })
      await store().createRun({ ...runRecord('r2'), eventWaits: ['b'] })
      await store().createRun(runRecord('r3'))
      expect((await store().listEventWaiters('b')).sort()).toEqual(['r1', 'r2'])
      expect(await store().listEventWaiters('a')).toEqual(['r1'])
      expect(await store().listEventWaiters('c')).toEqual([])
    })
  })
}
