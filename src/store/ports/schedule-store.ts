import type { ScheduleOccurrence, ScheduleSpec } from '../../types'

/** A schedule as stored. */
export interface StoredSchedule {
  scheduleId: string
  /** The spec as given (with its `id`), checked. */
  spec: ScheduleSpec
  createdAt: number
  updatedAt: number
  /** The newest occurrence already handled (fired or recorded missed); none yet when absent. */
  handledUpTo?: number
  /** The latest occurrences' outcomes, newest last, a bounded number of them. */
  recent: ScheduleOccurrence[]
}

/**
 * The schedules port: one record per schedule, keyed by its id. `advanceSchedule` is the one
 * write the leader makes while firing: a compare-and-set on `handledUpTo`, so a leader that lost
 * the lock and a new one never both record the same occurrences.
 */
export interface ScheduleStore {
  getSchedule(scheduleId: string): Promise<StoredSchedule | undefined>
  /** Stores `schedule`, replacing the one with its id. */
  putSchedule(schedule: StoredSchedule): Promise<void>
  /** Deletes schedule `scheduleId`; resolves to whether there was one. */
  deleteSchedule(scheduleId: string): Promise<boolean>
  /** Every schedule, by id. */
  listSchedules(): Promise<StoredSchedule[]>
  /**
   * Sets the schedule's `handledUpTo` to `to` and appends `occurrences` to its `recent` (keeping
   * the newest `keep`), only if its `handledUpTo` is still `from`; resolves to whether it did.
   * A deleted schedule is not advanced.
   */
  advanceSchedule(
    scheduleId: string,
    from: number | undefined,
    to: number,
    occurrences: ScheduleOccurrence[],
    keep: number,
  ): Promise<boolean>
}

/** `recent` after `occurrences`, the newest `keep` of both. */
export function appendRecent(
  recent: ScheduleOccurrence[],
  occurrences: ScheduleOccurrence[],
  keep: number,
): ScheduleOccurrence[] {
  return [...recent, ...occurrences].slice(-keep)
}
