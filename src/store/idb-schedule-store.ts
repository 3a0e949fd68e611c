import type { IdbConnection } from './idb-connection'
import { advanced, revised, type ScheduleStore } from './ports/schedule-store'

/**
 * The `ScheduleStore` of an IndexedDB database: the `schedules` object store (there since
 * version 1, keyed by `scheduleId`) holds each `StoredSchedule` as it is.
 */
export function idbScheduleStore(db: IdbConnection): ScheduleStore {
  return {
    getSchedule(scheduleId) {
      return db.read('getSchedule', ['schedules'], (tx) => tx.objectStore('schedules').get(scheduleId))
    },

    putSchedule(schedule) {
      return db.write('putSchedule', ['schedules'], async (tx) => {
        await tx.objectStore('schedules').put(schedule)
      })
    },

    reviseSchedule(scheduleId, revision) {
      // One transaction reads and writes: an advance by the leader in between is kept.
      return db.write('reviseSchedule', ['schedules'], async (tx) => {
        const schedules = tx.objectStore('schedules')
        const found = await schedules.get(scheduleId)
        if (!found) return undefined
        const next = revised(found, revision)
        await schedules.put(next)
        return next
      })
    },

    deleteSchedule(scheduleId) {
      return db.write('deleteSchedule', ['schedules'], async (tx) => {
        const schedules = tx.objectStore('schedules')
        if ((await schedules.getKey(scheduleId)) === undefined) return false
        await schedules.delete(scheduleId)
        return true
      })
    },

    listSchedules() {
      return db.read('listSchedules', ['schedules'], (tx) => tx.objectStore('schedules').getAll())
    },

    advanceSchedule(scheduleId, from, to, occurrences, keep, state) {
      // One transaction reads and writes, so two tabs advancing at once cannot both succeed.
      return db.write('advanceSchedule', ['schedules'], async (tx) => {
        const schedules = tx.objectStore('schedules')
        const found = await schedules.get(scheduleId)
        if (!found || found.handledUpTo !== from) return false
        await schedules.put(advanced(found, to, occurrences, keep, state))
        return true
      })
    },
  }
}
