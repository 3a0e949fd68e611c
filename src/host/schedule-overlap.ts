import { isEnded } from '../store/run-query'
import type { Store, StoredSchedule } from '../store/store'
import type { ScheduleOccurrence } from '../types'

/** What an overlap decision does: the occurrences to start, in order, and those it drops. */
export interface OverlapPlan {
  /** To start now, oldest first (buffered ones first). */
  start: number[]
  /** Dropped: recorded missed, reason `overlap`. */
  missed: number[]
  /** Buffered after this pass, oldest first. */
  pending: number[]
  /** Cancel this run (`cancel-other`) before the starts. */
  cancel?: string
}

/** Whether run `runId` is stored and has not ended: the run a new occurrence would overlap. */
export async function isGoing(store: Store, runId: string | undefined): Promise<boolean> {
  if (runId === undefined) return false
  const record = await store.getRun(runId)
  return record !== undefined && !isEnded(record.status)
}

/**
 * Applies the schedule's `overlap` to the occurrences `fire` due now, given whether its last run
 * (`active`) is `going` and what it buffered before (`pending`):
 * - `skip` (default): an occurrence while a run goes is missed;
 * - `buffer-one`: the newest one waits (an older waiting one is missed), and starts when the run ends;
 * - `buffer-all`: every one waits, in order, and they start one after the other;
 * - `cancel-other`: the going run is cancelled and the newest starts (older ones of the same pass
 *   are missed: each would cancel the one before at once);
 * - `allow-all`: every one starts.
 * A paused schedule keeps what it buffered until it is resumed.
 */
export function planOverlap(schedule: StoredSchedule, fire: number[], going: boolean): OverlapPlan {
  const overlap = schedule.spec.overlap ?? 'skip'
  let pending = [...(schedule.pending ?? [])]
  const start: number[] = []
  const missed: number[] = []
  if (overlap === 'allow-all') return { start: [...pending, ...fire], missed, pending: [] }
  if (overlap === 'cancel-other') {
    const last = fire.at(-1)
    if (last === undefined) return { start, missed, pending: [] }
    return {
      start: [last],
      missed: fire.slice(0, -1),
      pending: [],
      ...(going && schedule.active !== undefined && { cancel: schedule.active }),
    }
  }
  let busy = going
  if (!busy && !schedule.spec.paused && pending.length > 0) {
    start.push(pending.shift()!)
    busy = true
  }
  for (const time of fire) {
    if (!busy) {
      start.push(time)
      busy = true
    } else if (overlap === 'skip') missed.push(time)
    else if (overlap === 'buffer-one') {
      missed.push(...pending)
      pending = [time]
    } else pending.push(time)
  }
  return { start, missed, pending }
}

/**
 * Outcomes of one reason recorded as one entry when there are several (a long closed period must
 * not fill `recent`, nor `events$`, with thousands of entries): the oldest with a `count`.
 */
export function summarize(
  times: number[],
  reason: NonNullable<ScheduleOccurrence['reason']>,
  extra: { count: number; first?: number },
): ScheduleOccurrence[] {
  const count = times.length + extra.count
  const first = extra.first ?? times[0]
  if (count === 0 || first === undefined) return []
  const entry: ScheduleOccurrence = { scheduledAt: first, outcome: 'missed', reason }
  return [count === 1 ? entry : { ...entry, count }]
}
