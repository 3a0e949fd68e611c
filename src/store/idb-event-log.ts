import type { IdbConnection } from './idb-connection'
import type { EventLogRecord, EventLogStore } from './ports/event-log-store'

/**
 * The `EventLogStore` of an IndexedDB database: `events` keyed `<type>\u0000<id>`, read through
 * its `type` (`[type, at]`), `pending` and `at` indexes, so no call walks other types' events.
 */
export function idbEventLog(db: IdbConnection): EventLogStore {
  return {
    appendEvent(record: EventLogRecord): Promise<boolean> {
      return db.write('appendEvent', ['events'], async (tx) => {
        const events = tx.objectStore('events')
        if ((await events.getKey(record.key)) !== undefined) return false
        await events.add({ ...record, pending: 1 })
        return true
      })
    },

    listEvents(type: string, since: number): Promise<EventLogRecord[]> {
      return db.read('listEvents', ['events'], async (tx) => {
        const range = IDBKeyRange.bound([type, since], [type, Number.POSITIVE_INFINITY])
        const records = await tx.objectStore('events').index('type').getAll(range)
        // The index orders by time, then by key: the order of the memory store.
        return records
      })
    },

    listPendingEvents(): Promise<EventLogRecord[]> {
      return db.read('listPendingEvents', ['events'], async (tx) => {
        const records = await tx.objectStore('events').index('pending').getAll()
        return records.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      })
    },

    async settleEvent(key: string): Promise<void> {
      await db.write('settleEvent', ['events'], async (tx) => {
        const events = tx.objectStore('events')
        const record = await events.get(key)
        if (record?.pending === undefined) return
        delete record.pending
        await events.put(record)
      })
    },

    deleteEvents(before: number): Promise<number> {
      return db.write('deleteEvents', ['events'], async (tx) => {
        const events = tx.objectStore('events')
        let count = 0
        let cursor = await events.index('at').openKeyCursor(IDBKeyRange.upperBound(before, true))
        while (cursor) {
          await events.delete(cursor.primaryKey)
          count++
          cursor = await cursor.continue()
        }
        return count
      })
    },
  }
}
