import { DEFAULT_CATCH_UP_WINDOW_MS, ON_TIME_MS, planCatchUp } from '../core/schedules/catch-up'
import { jitterOf } from '../core/schedules/jitter'
import { countOccurrences, occurrencesBetween } from '../core/schedules/schedule-times'
import { compileScopeTemplate } from '../definition/scope-template'
import {
  ArgumentError,
  ExpressionError,
  ForbiddenError,
  InputError,
  NotFoundError,
  toErrorInfo,
} from '../errors'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleOccurrence } from '../types'
import { isGoing, planOverlap, summarize } from './schedule-overlap'

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
  /** The spec's `input`, its `${ }` templates over `schedule` resolved. */
  input?: Record<string, unknown>
  runId: string
  /** Who created or last updated the schedule: the run starts as them. */
  principal?: string
}

/**
 * Starts the run of one occurrence. Resolves `'exists'` when a run with that id is already
 * stored: the occurrence was fired before (by another tab, or before a crash), so it is not
 * started again. Rejects when the start fails.
 */
export type StartScheduled = (start: ScheduledStart) => Promise<'started' | 'exists'>

/** Cancels the schedule's run `runId` that still goes, for `overlap: 'cancel-other'`. */
export type CancelScheduled = (runId: string, principal: string | undefined) => Promise<void>

/** The run id of an occurrence: one run per occurrence per database, whoever fires it. */
export function scheduledRunId(scheduleId: string, scheduledAt: number): string {
  return `sched:${scheduleId}:${scheduledAt}`
}

/** Where `everyMs` counts from: `startAt`, else the schedule's creation. */
export function anchorOf(schedule: StoredSchedule): number {
  return schedule.spec.startAt ?? schedule.createdAt
}

/** The occurrences after this time are not handled yet. */
export function handledFrom(schedule: StoredSchedule): number {
  const { spec } = schedule
  return schedule.handledUpTo ?? (spec.startAt === undefined ? schedule.createdAt : spec.startAt - 1)
}

/** When the occurrence `scheduledAt` starts: its time plus its jitter. */
export function fireTimeOf(schedule: StoredSchedule, scheduledAt: number): number {
  return scheduledAt + jitterOf(scheduledRunId(schedule.scheduleId, scheduledAt), schedule.spec.jitterMs)
}

/**
 * One firing pass over one schedule at `now`: the occurrences after the last one handled (or
 * after its creation, or from its `startAt`) whose fire time (time + jitter) came are started or
 * recorded missed (paused: reason `paused`; dropped by `catchUp`: `catch-up`; by `overlap`:
 * `overlap`), a buffered one starts once the run before it ended, then the schedule advances
 * past them with a compare-and-set. Occurrences older than the catch-up window are counted, not
 * listed, and the missed of one reason are recorded as one entry with a `count`. A crash between
 * the starts and the advance makes the next pass start the same run ids again, which the store
 * refuses (`'exists'`): each occurrence starts at most once. Resolves to the outcomes recorded,
 * none when another pass advanced it first.
 */
export async function fireSchedule(
  store: Store,
  schedule: StoredSchedule,
  now: number,
  start: StartScheduled,
  cancel?: CancelScheduled,
): Promise<ScheduleOccurrence[]> {
  const { spec, scheduleId } = schedule
  const anchor = anchorOf(schedule)
  const windowStart = now - (spec.catchUp?.windowMs ?? DEFAULT_CATCH_UP_WINDOW_MS)
  // What is older than the window never starts, whatever the policy: count it, do not list it.
  const old = countOccurrences(spec, anchor, handledFrom(schedule), windowStart - 1, OCCURRENCES_PER_PASS)
  const listed = occurrencesBetween(
    spec,
    anchor,
    old.last ?? handledFrom(schedule),
    now,
    OCCURRENCES_PER_PASS,
  )
  const ready: number[] = []
  for (const time of listed) {
    // Oldest first: a later one never starts before an earlier one still held back by jitter.
    if (fireTimeOf(schedule, time) > now) break
    ready.push(time)
  }
  const newerLate =
    listed.length === OCCURRENCES_PER_PASS
      ? countOccurrences(spec, anchor, listed.at(-1)!, now - ON_TIME_MS, OCCURRENCES_PER_PASS).count
      : 0
  const delayOf = (time: number) => fireTimeOf(schedule, time) - time
  const plan = spec.paused
    ? { fire: [], missed: ready }
    : planCatchUp(ready, now, spec.catchUp, newerLate, delayOf)
  const going = (spec.overlap ?? 'skip') !== 'allow-all' && (await isGoing(store, schedule.active))
  const overlap = planOverlap(schedule, plan.fire, going)
  const last = ready.at(-1) ?? old.last
  if (last === undefined && overlap.start.length === 0) return []
  const fired: ScheduleOccurrence[] = []
  let starts = overlap.start
  if (overlap.cancel !== undefined && cancel) {
    try {
      await cancel(overlap.cancel, schedule.principal)
    } catch (error) {
      // A cancel refused (`authorize` says no) would be refused at every try: the occurrence
      // that needed it is missed, as a refused start is, and the running run goes on.
      if (!isRefusal(error)) throw error
      const refused = { outcome: 'missed', reason: 'refused', error: toErrorInfo(error) } as const
      fired.push(...starts.map((scheduledAt): ScheduleOccurrence => ({ scheduledAt, ...refused })))
      starts = []
    }
  }
  const problems: string[] = []
  const input = spec.input && compileScopeTemplate('schedule', spec.input, problems)
  let active = schedule.active
  for (const scheduledAt of starts) {
    const runId = scheduledRunId(scheduleId, scheduledAt)
    try {
      await start({
        scheduleId,
        scheduledAt,
        workflow: spec.workflow,
        ...(spec.version !== undefined && { version: spec.version }),
        ...(input && { input: input({ id: scheduleId, scheduledAt, lateMs: now - scheduledAt }) }),
        runId,
        ...(schedule.principal !== undefined && { principal: schedule.principal }),
      })
    } catch (error) {
      // A refusal would be the same at every try: the occurrence is recorded missed with the
      // reason. Anything else (the store failing, the engine closing) is tried again later.
      if (!isRefusal(error)) throw error
      fired.push({ scheduledAt, outcome: 'missed', reason: 'refused', error: toErrorInfo(error) })
      continue
    }
    fired.push({ scheduledAt, runId, outcome: 'started' })
    active = runId
  }
  const none = { count: 0 }
  const recorded = [
    ...summarize(spec.paused ? plan.missed : [], 'paused', spec.paused ? old : none),
    ...summarize(spec.paused ? [] : plan.missed, 'catch-up', spec.paused ? none : old),
    ...overlap.missed.map(
      (scheduledAt): ScheduleOccurrence => ({ scheduledAt, outcome: 'missed', reason: 'overlap' }),
    ),
    ...fired,
  ].sort((a, b) => a.scheduledAt - b.scheduledAt)
  const to = last ?? schedule.handledUpTo
  if (to === undefined) return []
  const state = { pending: overlap.pending, ...(active !== undefined && { active }) }
  const advanced = await store.advanceSchedule(
    scheduleId,
    schedule.handledUpTo,
    to,
    recorded,
    RECENT_KEPT,
    state,
  )
  return advanced ? recorded : []
}

/** Whether a start failed for good: its workflow, its input or its principal was refused. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof NotFoundError ||
    error instanceof InputError ||
    error instanceof ForbiddenError ||
    error instanceof ExpressionError ||
    error instanceof ArgumentError
  )
}
