import { planCatchUp } from '../core/schedules/catch-up'
import { occurrencesBetween } from '../core/schedules/schedule-times'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleOccurrence } from '../types'

/** How many outcomes `ScheduleInfo.recent` keeps. */
export const RECENT_KEPT = 50

/** At most this many occurrences are handled in one pass; the next pass handles the rest. */
export const OCCURRENCES_PER_PASS = 1_000

/** A start asked for by a schedule; `runId` is `sched:<id>:<scheduledAt>`. */
export interface ScheduledStart {
  scheduleId: string
  scheduledAt: number
  workflow: string
  version?: string
  input?: Record<string, unknown>
  runId: string
}

/**
 * Starts the run of one occurrence. Resolves `'exists'` when a run with that id is already
 * stored: the occurrence was fired before (by another tab, or before a crash), so it is not
 * started again. Rejects when the start fails.
 */
export type StartScheduled = (start: ScheduledStart) => Promise<'started' | 'exists'>

/** The run id of an occurrence: one run per occurrence per database, whoever fires it. */
export function scheduledRunId(scheduleId: string, scheduledAt: number): string {
  return `sched:${scheduleId}:${scheduledAt}`
}

/**
 * One firing pass over one schedule at `now`: the occurrences after the last one handled (or
 * after its creation, or from its `startAt`) up to `now` are started or recorded missed (paused:
 * reason `paused`; dropped by `catchUp`: reason `catch-up`), then the schedule advances past
 * them with a compare-and-set. A crash between the starts and the advance makes the next pass
 * start the same run ids again, which the store refuses (`'exists'`): each occurrence starts at
 * most once. Resolves to the outcomes recorded, none when another pass advanced it first.
 */
export async function fireSchedule(
  store: Store,
  schedule: StoredSchedule,
  now: number,
  start: StartScheduled,
): Promise<ScheduleOccurrence[]> {
  const { spec, scheduleId } = schedule
  const anchor = spec.startAt ?? schedule.createdAt
  const from = schedule.handledUpTo ?? (spec.startAt === undefined ? schedule.createdAt : spec.startAt - 1)
  const due = occurrencesBetween(spec, anchor, from, now, OCCURRENCES_PER_PASS)
  const last = due.at(-1)
  if (last === undefined) return []
  const outcomes = new Map<number, ScheduleOccurrence>()
  if (spec.paused) {
    for (const scheduledAt of due)
      outcomes.set(scheduledAt, { scheduledAt, outcome: 'missed', reason: 'paused' })
  } else {
    const plan = planCatchUp(due, now, spec.catchUp)
    for (const scheduledAt of plan.missed) {
      outcomes.set(scheduledAt, { scheduledAt, outcome: 'missed', reason: 'catch-up' })
    }
    for (const scheduledAt of plan.fire) {
      const runId = scheduledRunId(scheduleId, scheduledAt)
      await start({
        scheduleId,
        scheduledAt,
        workflow: spec.workflow,
        ...(spec.version === undefined ? {} : { version: spec.version }),
        ...(spec.input === undefined ? {} : { input: spec.input }),
        runId,
      })
      outcomes.set(scheduledAt, { scheduledAt, runId, outcome: 'started' })
    }
  }
  const recorded = due.flatMap((scheduledAt) => {
    const outcome = outcomes.get(scheduledAt)
    return outcome ? [outcome] : []
  })
  const advanced = await store.advanceSchedule(scheduleId, schedule.handledUpTo, last, recorded, RECENT_KEPT)
  return advanced ? recorded : []
}
