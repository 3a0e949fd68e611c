import { describe, expect, it } from 'vitest'
import { DEFAULT_CATCH_UP_WINDOW_MS, ON_TIME_MS, planCatchUp } from '../../../src/core/schedules/catch-up'

const HOUR = 3_600_000
const now = Date.UTC(2026, 0, 10)
const hoursAgo = (...hours: number[]) => hours.map((h) => now - h * HOUR)

describe('planCatchUp', () => {
  it('latest (the default) starts the newest late occurrence and records the others missed', () => {
    expect(planCatchUp(hoursAgo(5, 4, 3), now)).toEqual({ fire: hoursAgo(3), missed: hoursAgo(5, 4) })
  })

  it('none starts no late occurrence, but one on time starts whatever the policy', () => {
    const due = [...hoursAgo(5, 4), now - ON_TIME_MS]
    expect(planCatchUp(due, now, { policy: 'none' })).toEqual({
      fire: [now - ON_TIME_MS],
      missed: hoursAgo(5, 4),
    })
    expect(planCatchUp(due, now, { policy: 'latest' })).toEqual({
      fire: [now - ON_TIME_MS],
      missed: hoursAgo(5, 4),
    })
  })

  it('all starts every late occurrence inside the window, the newest maxRuns when set', () => {
    expect(planCatchUp(hoursAgo(5, 4, 3), now, { policy: 'all' })).toEqual({
      fire: hoursAgo(5, 4, 3),
      missed: [],
    })
    expect(planCatchUp(hoursAgo(5, 4, 3), now, { policy: 'all', maxRuns: 2 })).toEqual({
      fire: hoursAgo(4, 3),
      missed: hoursAgo(5),
    })
  })

  it('drops what is older than the window, 7 days by default', () => {
    const old = now - DEFAULT_CATCH_UP_WINDOW_MS - 1
    expect(planCatchUp([old], now)).toEqual({ fire: [], missed: [old] })
    expect(planCatchUp([...hoursAgo(3, 2)], now, { policy: 'all', windowMs: 2.5 * HOUR })).toEqual({
      fire: hoursAgo(2),
      missed: hoursAgo(3),
    })
  })
})
