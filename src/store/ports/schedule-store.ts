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
  /** Who created or last updated it: its runs start as this principal. */
  principal?: string
  /** `ScheduleState`: set by the leader as it fires. */
  pending?: number[]
  active?: string
}

/** What `reviseSchedule` writes: the caller's part of a schedule. `principal` absent: none. */
export type ScheduleRevision = Pick<StoredSchedule, 'spec' | 'updatedAt' | 'principal'>

/** `schedule` with `revision` in place of its caller's part. */
export function revised(schedule: StoredSchedule, revision: ScheduleRevision): StoredSchedule {
  const { principal: _, ...kept } = schedule
  return {
    ...kept,
    spec: revision.spec,
    updatedAt: revision.updatedAt,
    ...(revision.principal !== undefined && { principal: revision.principal }),
  }
}

/** What the leader keeps with a schedule besides its outcomes (see `advanceSchedule`). */
export interface ScheduleState {
  /** Occurrences buffered by `overlap` (`buffer-one`, `buffer-all`), oldest first. */
  pending?: number[]
  /** The run id of the occurrence started last: the run an overlap is about. */
  active?: string
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
  /**
   * Replaces the spec, `updatedAt` and `principal` of the stored schedule (what `updateSchedule`
   * changes) in one read and write, keeping what the leader recorded meanwhile (`handledUpTo`,
   * `recent`, `pending`, `active`); resolves to the schedule written, or `undefined` when there
   * is none.
   */
  reviseSchedule(scheduleId: string, revision: ScheduleRevision): Promise<StoredSchedule | undefined>
  /** Deletes schedule `scheduleId`; resolves to whether there was one. */
  deleteSchedule(scheduleId: string): Promise<boolean>
  /** Every schedule, by id. */
  listSchedules(): Promise<StoredSchedule[]>
  /**
   * Sets the schedule's `handledUpTo` to `to` and appends `occurrences` to its `recent` (keeping
   * the newest `keep`), only if its `handledUpTo` is still `from`; resolves to whether it did.
   * `state`, when given, replaces the schedule's `pending` and `active` in the same write.
   * A deleted schedule is not advanced.
   */
  advanceSchedule(
    scheduleId: string,
    from: number | undefined,
    to: number,
    occurrences: ScheduleOccurrence[],
    keep: number,
    state?: ScheduleState,
  ): Promise<boolean>
}

/** `schedule` advanced: what `advanceSchedule` writes. */
export function advanced(
  schedule: StoredSchedule,
  to: number,
  occurrences: ScheduleOccurrence[],
  keep: number,
  state: ScheduleState | undefined,
): StoredSchedule {
  const next: StoredSchedule = {
    ...schedule,
    handledUpTo: to,
    recent: appendRecent(schedule.recent, occurrences, keep),
  }
  if (state) {
    delete next.pending
    delete next.active
    if (state.pending && state.pending.length > 0) next.pending = state.pending
    if (state.active !== undefined) next.active = state.active
  }
  return next
}

/** `recent` after `occurrences`, the newest `keep` of both. */
export function appendRecent(
  recent: ScheduleOccurrence[],
  occurrences: ScheduleOccurrence[],
  keep: number,
): ScheduleOccurrence[] {
  return [...recent, ...occurrences].slice(-keep)
}
