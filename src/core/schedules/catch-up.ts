import type { ScheduleSpec } from '../../types'

/** The default of `catchUp.windowMs`: a week. */
export const DEFAULT_CATCH_UP_WINDOW_MS = 7 * 24 * 60 * 60 * 1000

/**
 * How late an occurrence may be and still count as on time: a background tab's timers fire at
 * most once a minute under Chromium's intensive throttling, so a minute late is not "missed".
 */
export const ON_TIME_MS = 60_000

/** What to do with the occurrences that came due while no leader was looking. */
export interface CatchUpPlan {
  /** The occurrences to start now, oldest first. */
  fire: number[]
  /** The occurrences dropped (journaled as `schedule.missed`, reason `catch-up`), oldest first. */
  missed: number[]
}

/**
 * Splits the due occurrences `due` (oldest first, all `<= now`). Those at most `ON_TIME_MS`
 * late always start: a leader that was looking fires them whatever the policy. The late ones
 * follow the spec's `catchUp`: `latest` (default) starts the newest one inside the window unless
 * an on-time one starts anyway, `all` starts those inside the window (at most `maxRuns`, the
 * newest, when set), `none` starts none. Every occurrence not started is returned as missed:
 * nothing is dropped silently. `newerLate`: how many late occurrences come after `due` (a pass
 * that handles the oldest part of a long backlog), which take the places `latest` and `maxRuns`
 * give before any of `due` does. `delayOf`: each occurrence's jitter; lateness counts from its
 * fire time (time + jitter), so an occurrence held back by its jitter is not late for it.
 *
 * @example
 * planCatchUp([1, 2, 3], 100_000, { policy: 'latest' }) // { fire: [3], missed: [1, 2] }
 */
export function planCatchUp(
  due: number[],
  now: number,
  catchUp: ScheduleSpec['catchUp'] = {},
  newerLate = 0,
  delayOf: (time: number) => number = () => 0,
): CatchUpPlan {
  const policy = catchUp.policy ?? 'latest'
  const isOnTime = (time: number) => now - time - delayOf(time) <= ON_TIME_MS
  const onTime = due.filter(isOnTime)
  const windowStart = now - (catchUp.windowMs ?? DEFAULT_CATCH_UP_WINDOW_MS)
  const late = due.filter((time) => !isOnTime(time) && time >= windowStart)
  let caughtUp: number[]
  if (policy === 'none') caughtUp = []
  else if (policy === 'latest') caughtUp = onTime.length > 0 || newerLate > 0 ? [] : late.slice(-1)
  else if (catchUp.maxRuns === undefined) caughtUp = late
  else {
    const places = catchUp.maxRuns - newerLate
    caughtUp = places > 0 ? late.slice(-places) : []
  }
  const fire = [...caughtUp, ...onTime]
  const firing = new Set(fire)
  return { fire, missed: due.filter((time) => !firing.has(time)) }
}
