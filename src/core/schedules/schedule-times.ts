import { Cron } from 'croner'
import type { ScheduleSpec } from '../../types'

/** The part of a spec that fixes when it occurs. */
export type Timetable = Pick<ScheduleSpec, 'cron' | 'everyMs' | 'timezone' | 'startAt' | 'endAt'>

/**
 * The occurrences of `timetable` in `(after, upTo]`, oldest first, at most `limit` of them.
 * `everyMs` counts from `anchor` (the spec's `startAt`, else its creation time), so occurrences
 * stay on the same grid however late the engine looks; `cron` is read in `timezone` (default
 * UTC) by croner, which handles the DST changes: a local time skipped by a spring-forward occurs
 * at the end of the gap, one repeated by a fall-back occurs once.
 *
 * @example
 * occurrencesBetween({ everyMs: 60_000 }, 0, 0, 180_000, 10) // [60000, 120000, 180000]
 */
export function occurrencesBetween(
  timetable: Timetable,
  anchor: number,
  after: number,
  upTo: number,
  limit: number,
): number[] {
  const from = Math.max(after, (timetable.startAt ?? Number.NEGATIVE_INFINITY) - 1)
  const to = Math.min(upTo, timetable.endAt ?? Number.POSITIVE_INFINITY)
  const times: number[] = []
  if (to <= from || limit <= 0) return times
  if (timetable.everyMs !== undefined) {
    const step = timetable.everyMs
    // The first grid point strictly after `from` (the anchor itself included).
    let next = from < anchor ? anchor : anchor + (Math.floor((from - anchor) / step) + 1) * step
    while (next <= to && times.length < limit) {
      times.push(next)
      next += step
    }
    return times
  }
  const cron = cronOf(timetable)
  let previous = new Date(from)
  while (times.length < limit) {
    const next = cron.nextRun(previous)
    if (!next || next.getTime() > to) break
    times.push(next.getTime())
    previous = next
  }
  return times
}

/** How many occurrences a span holds, and its first and last (absent when none). */
export interface OccurrenceCount {
  count: number
  first?: number
  last?: number
}

/**
 * Counts the occurrences of `timetable` in `(after, upTo]` without listing them: by arithmetic
 * for `everyMs`, by stepping croner for `cron`, at most `cap` steps (then `last` is where it
 * stopped, and the caller counts on from there).
 *
 * @example
 * countOccurrences({ everyMs: 60_000 }, 0, 0, 600_000, 1_000) // { count: 10, first: 60000, last: 600000 }
 */
export function countOccurrences(
  timetable: Timetable,
  anchor: number,
  after: number,
  upTo: number,
  cap: number,
): OccurrenceCount {
  if (timetable.everyMs === undefined) {
    const times = occurrencesBetween(timetable, anchor, after, upTo, cap)
    return { count: times.length, ...(times.length > 0 && { first: times[0], last: times.at(-1) }) }
  }
  const [first] = occurrencesBetween(timetable, anchor, after, upTo, 1)
  if (first === undefined) return { count: 0 }
  const step = timetable.everyMs
  const to = Math.min(upTo, timetable.endAt ?? Number.POSITIVE_INFINITY)
  const count = Math.floor((to - first) / step) + 1
  return { count, first, last: first + (count - 1) * step }
}

/** The first `count` occurrences after `after` (no end but the spec's `endAt`). */
export function nextOccurrences(
  timetable: Timetable,
  anchor: number,
  after: number,
  count: number,
): number[] {
  return occurrencesBetween(timetable, anchor, after, Number.POSITIVE_INFINITY, count)
}

/**
 * A paused croner job for `timetable.cron`: only asked for times, it never runs anything.
 * Throws croner's error for a bad pattern or time zone (the spec check reports those).
 */
export function cronOf(timetable: Pick<Timetable, 'cron' | 'timezone'>): Cron {
  return new Cron(timetable.cron ?? '', { timezone: timetable.timezone ?? 'UTC', paused: true })
}
