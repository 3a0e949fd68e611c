import type { EventLogRecord, EventLogStore } from './ports/event-log-store'

/** The `EventLogStore` of a memory store: one map, values structured-cloned in and out. */
export function memoryEventLog(): EventLogStore & { count(): number } {
  const events = new Map<string, EventLogRecord>()
  const sorted = (records: EventLogRecord[]) =>
    records
      .sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((record) => structuredClone(record))
  return {
    count: () => events.size,

    async appendEvent(record: EventLogRecord): Promise<boolean> {
      if (events.has(record.key)) return false
      events.set(record.key, structuredClone({ ...record, pending: 1 }))
      return true
    },

    async listEvents(type: string, since: number): Promise<EventLogRecord[]> {
      return sorted([...events.values()].filter((record) => record.type === type && record.at >= since))
    },

    async listPendingEvents(): Promise<EventLogRecord[]> {
      return sorted([...events.values()].filter((record) => record.pending !== undefined))
    },

    async settleEvent(key: string): Promise<void> {
      delete events.get(key)?.pending
    },

    async deleteEvents(before: number): Promise<number> {
      let count = 0
      for (const [key, record] of events) {
        if (record.at < before) {
          events.delete(key)
          count++
        }
      }
      return count
    },
  }
}
