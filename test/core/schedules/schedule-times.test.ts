import { describe, expect, it } from 'vitest'
import { nextOccurrences, occurrencesBetween } from '../../../src/core/schedules/schedule-times'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('occurrencesBetween', () => {
  it('puts everyMs on the grid of its anchor, however late it is asked', () => {
    const anchor = Date.UTC(2026, 0, 1)
    expect(
      occurrencesBetween({ everyMs: 10 * MINUTE }, anchor, anchor + 25 * MINUTE, anchor + HOUR, 10),
    ).toEqual([anchor + 30 * MINUTE, anchor + 40 * MINUTE, anchor + 50 * MINUTE, anchor + 60 * MINUTE])
    // The anchor itself is an occurrence; the bound `after` is not.
    expect(occurrencesBetween({ everyMs: MINUTE }, anchor, anchor - 1, anchor + MINUTE, 10)).toEqual([
      anchor,
      anchor + MINUTE,
    ])
    expect(occurrencesBetween({ everyMs: MINUTE }, anchor, anchor, anchor + MINUTE, 10)).toEqual([
      anchor + MINUTE,
    ])
  })

  it('keeps inside startAt and endAt, and stops at limit', () => {
    const startAt = Date.UTC(2026, 0, 1, 12)
    const endAt = startAt + 3 * HOUR
    const spec = { everyMs: HOUR, startAt, endAt }
    expect(occurrencesBetween(spec, startAt, 0, startAt + 10 * HOUR, 10)).toEqual([
      startAt,
      startAt + HOUR,
      startAt + 2 * HOUR,
      startAt + 3 * HOUR,
    ])
    expect(occurrencesBetween(spec, startAt, 0, startAt + 10 * HOUR, 2)).toEqual([startAt, startAt + HOUR])
    expect(nextOccurrences(spec, startAt, endAt, 5)).toEqual([])
  })

  it('reads cron in its time zone, across days', () => {
    const after = Date.UTC(2026, 5, 1) // 1 June 2026, 00:00 UTC = 02:00 in Berlin (CEST)
    expect(nextOccurrences({ cron: '0 9 * * *', timezone: 'Europe/Berlin' }, 0, after, 3)).toEqual([
      Date.UTC(2026, 5, 1, 7),
      Date.UTC(2026, 5, 2, 7),
      Date.UTC(2026, 5, 3, 7),
    ])
    expect(nextOccurrences({ cron: '0 9 * * *' }, 0, after, 1)).toEqual([Date.UTC(2026, 5, 1, 9)])
  })

  it('follows the DST changes of the time zone: daily 09:00 stays 09:00 local', () => {
    // Berlin springs forward on 29 March 2026 and falls back on 25 October 2026.
    const spring = nextOccurrences(
      { cron: '0 9 * * *', timezone: 'Europe/Berlin' },
      0,
      Date.UTC(2026, 2, 28),
      2,
    )
    expect(spring).toEqual([Date.UTC(2026, 2, 28, 8), Date.UTC(2026, 2, 29, 7)])
    const autumn = nextOccurrences(
      { cron: '0 9 * * *', timezone: 'Europe/Berlin' },
      0,
      Date.UTC(2026, 9, 24),
      2,
    )
    expect(autumn).toEqual([Date.UTC(2026, 9, 24, 7), Date.UTC(2026, 9, 25, 8)])
  })

  it('fires a local time repeated by a fall-back once, and one skipped by a spring-forward just past the gap', () => {
    const repeated = occurrencesBetween(
      { cron: '30 2 * * *', timezone: 'Europe/Berlin' },
      0,
      Date.UTC(2026, 9, 24, 12),
      Date.UTC(2026, 9, 25, 12),
      10,
    )
    expect(repeated).toHaveLength(1)
    const around = occurrencesBetween(
      { cron: '30 2 * * *', timezone: 'Europe/Berlin' },
      0,
      Date.UTC(2026, 2, 27, 12),
      Date.UTC(2026, 2, 30, 12),
      10,
    )
    // 28 and 30 March at 02:30 local; the 29th has no 02:30: croner fires it just past the gap,
    // at 03:00 local (01:00 UTC).
    expect(around).toEqual([
      Date.UTC(2026, 2, 28, 1, 30),
      Date.UTC(2026, 2, 29, 1, 0),
      Date.UTC(2026, 2, 30, 0, 30),
    ])
  })
})
