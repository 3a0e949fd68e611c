import { advanced, revised, type ScheduleStore, type StoredSchedule } from './ports/schedule-store'

/** The `ScheduleStore` of a memory store: structured clones in a map, as IndexedDB keeps them. */
export function memoryScheduleStore(): ScheduleStore {
  const schedules = new Map<string, StoredSchedule>()
  return {
    async getSchedule(scheduleId) {
      const found = schedules.get(scheduleId)
      return found && structuredClone(found)
    },

    async putSchedule(schedule) {
      schedules.set(schedule.scheduleId, structuredClone(schedule))
    },

    async reviseSchedule(scheduleId, revision) {
      const found = schedules.get(scheduleId)
      if (!found) return undefined
      const next = revised(found, structuredClone(revision))
      schedules.set(scheduleId, next)
      return structuredClone(next)
    },

    async deleteSchedule(scheduleId) {
      return schedules.delete(scheduleId)
    },

    async listSchedules() {
      return [...schedules.values()]
        .sort((a, b) => (a.scheduleId < b.scheduleId ? -1 : a.scheduleId > b.scheduleId ? 1 : 0))
        .map((schedule) => structuredClone(schedule))
    },

    async advanceSchedule(scheduleId, from, to, occurrences, keep, state) {
      const found = schedules.get(scheduleId)
      if (!found || found.handledUpTo !== from) return false
      schedules.set(
        scheduleId,
        advanced(found, to, structuredClone(occurrences), keep, structuredClone(state)),
      )
      return true
    },
  }
}
