import { describe, expect, it } from 'vitest'
import { jitterOf } from '../../src/core/schedules/jitter'
import { fireSchedule, type ScheduledStart, scheduledRunId } from '../../src/host/schedule-firing'
import { memoryStore } from '../../src/store/memory-store'
import type { StoredSchedule } from '../../src/store/store'
import type { ScheduleSpec } from '../../src/types'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const created = Date.UTC(2026, 2, 1)

/** Run starts as a store of run ids would take them: a second start of one id finds it there. */
function starter() {
  const runs = new Map<string, ScheduledStart>()
  const start = async (request: ScheduledStart) => {
    if (runs.has(request.runId)) return 'exists' as const
    runs.set(request.runId, request)
    return 'started' as const
  }
  return { runs, start }
}

async function stored(spec: Omit<ScheduleSpec, 'workflow'>) {
  const store = memoryStore()
  const schedule: StoredSchedule = {
    scheduleId: 's',
    spec: { id: 's', workflow: 'wf', ...spec },
    createdAt: created,
    updatedAt: created,
    recent: [],
  }
  await store.putSchedule(schedule)
  const pass = async (now: number, start: ReturnType<typeof starter>['start']) => {
    const current = await store.getSchedule('s')
    if (!current) throw new Error('the schedule is gone')
    return fireSchedule(store, current, now, start)
  }
  return { store, pass }
}

describe('fireSchedule', () => {
  it('fires each occurrence once, with run id sched:<id>:<scheduledAt>, as time passes', async () => {
    const { pass } = await stored({ everyMs: HOUR })
    const { runs, start } = starter()
    expect(await pass(created + 30 * MINUTE, start)).toEqual([])
    const first = await pass(created + HOUR, start)
    expect(first).toEqual([
      { scheduledAt: created + HOUR, runId: `sched:s:${created + HOUR}`, outcome: 'started' },
    ])
    expect(await pass(created + HOUR + 1, start)).toEqual([])
    await pass(created + 2 * HOUR + 5, start)
    expect([...runs.keys()]).toEqual([
      scheduledRunId('s', created + HOUR),
      scheduledRunId('s', created + 2 * HOUR),
    ])
    expect(runs.get(scheduledRunId('s', created + HOUR))).toMatchObject({
      workflow: 'wf',
      scheduledAt: created + HOUR,
    })
  })

  it('after days closed, catches up the latest occurrence and records the others missed', async () => {
    const { store, pass } = await stored({ cron: '0 9 * * *', timezone: 'Europe/Berlin' })
    const { runs, start } = starter()
    // Closed from creation on 1 March until 12:00 UTC on 4 March: the 09:00 (08:00 UTC) of 1-4 March.
    const outcomes = await pass(Date.UTC(2026, 2, 4, 12), start)
    // The three missed are one entry: a long closed period does not fill `recent`.
    expect(outcomes.map((o) => [o.scheduledAt, o.outcome, o.reason, o.count])).toEqual([
      [Date.UTC(2026, 2, 1, 8), 'missed', 'catch-up', 3],
      [Date.UTC(2026, 2, 4, 8), 'started', undefined, undefined],
    ])
    expect([...runs.keys()]).toEqual([scheduledRunId('s', Date.UTC(2026, 2, 4, 8))])
    expect((await store.getSchedule('s'))?.recent).toEqual(outcomes)
  })

  it('with catchUp none, starts nothing late but fires on time again, across the DST change', async () => {
    const { pass } = await stored({
      cron: '0 9 * * *',
      timezone: 'Europe/Berlin',
      catchUp: { policy: 'none' },
    })
    const { runs, start } = starter()
    const late = await pass(Date.UTC(2026, 2, 28, 12), start)
    expect(late).toEqual([
      { scheduledAt: Date.UTC(2026, 2, 1, 8), outcome: 'missed', reason: 'catch-up', count: 28 },
    ])
    // 29 March is the first day of summer time: 09:00 in Berlin is 07:00 UTC.
    expect(await pass(Date.UTC(2026, 2, 29, 7, 0, 30), start)).toEqual([
      {
        scheduledAt: Date.UTC(2026, 2, 29, 7),
        runId: scheduledRunId('s', Date.UTC(2026, 2, 29, 7)),
        outcome: 'started',
      },
    ])
    expect(runs.size).toBe(1)
  })

  it('an occurrence held back by its jitter is on time at its fire time, even with catchUp none', async () => {
    const { pass } = await stored({ everyMs: HOUR, jitterMs: 30 * MINUTE, catchUp: { policy: 'none' } })
    const { runs, start } = starter()
    const at = created + HOUR
    const fireAt = at + jitterOf(scheduledRunId('s', at), 30 * MINUTE)
    // The delay of this run id is past ON_TIME_MS, which is what the test is about.
    expect(fireAt - at).toBeGreaterThan(2 * MINUTE)
    expect(await pass(fireAt - 1, start)).toEqual([])
    expect(await pass(fireAt, start)).toEqual([
      { scheduledAt: at, runId: scheduledRunId('s', at), outcome: 'started' },
    ])
    expect([...runs.keys()]).toEqual([scheduledRunId('s', at)])
  })

  it('records the occurrences of a paused schedule missed, reason paused, and starts none', async () => {
    const { pass } = await stored({ everyMs: DAY, paused: true })
    const { runs, start } = starter()
    const outcomes = await pass(created + 2 * DAY, start)
    expect(outcomes).toEqual([{ scheduledAt: created + DAY, outcome: 'missed', reason: 'paused', count: 2 }])
    expect(runs.size).toBe(0)
  })

  it('never starts an occurrence twice when two passes race, or a pass repeats after a crash', async () => {
    const { store, pass } = await stored({ everyMs: HOUR, catchUp: { policy: 'all' }, overlap: 'allow-all' })
    const { runs, start } = starter()
    const starts: string[] = []
    const counting = async (request: ScheduledStart) => {
      starts.push(request.runId)
      return start(request)
    }
    const schedule = await store.getSchedule('s')
    if (!schedule) throw new Error('the schedule is gone')
    // A pass that started its runs and crashed before advancing: the run ids are taken.
    await start({
      ...schedule.spec,
      scheduleId: 's',
      scheduledAt: created + HOUR,
      runId: scheduledRunId('s', created + HOUR),
    })
    const [a, b] = await Promise.all([pass(created + 3 * HOUR, counting), pass(created + 3 * HOUR, counting)])
    expect([a.length, b.length].sort()).toEqual([0, 3])
    expect(runs.size).toBe(3)
    expect(new Set(starts).size).toBe(3)
  })

  it('a backlog larger than one pass starts only its newest (latest), never a stale one of the first pass', async () => {
    const { pass } = await stored({ everyMs: MINUTE })
    const { runs, start } = starter()
    const now = created + 3 * DAY + 30 * 1000
    const recorded = []
    for (let outcomes = await pass(now, start); outcomes.length > 0; outcomes = await pass(now, start)) {
      recorded.push(...outcomes)
    }
    expect([...runs.keys()]).toEqual([scheduledRunId('s', created + 3 * DAY)])
    const missed = recorded.filter((o) => o.outcome === 'missed')
    expect(missed.reduce((sum, o) => sum + (o.count ?? 1), 0)).toBe(3 * 24 * 60 - 1)
    expect(missed.length).toBeLessThanOrEqual(5)
  })

  it('counts the occurrences older than the catch-up window without listing them', async () => {
    const { pass } = await stored({
      everyMs: MINUTE,
      catchUp: { windowMs: HOUR, policy: 'all', maxRuns: 2 },
      overlap: 'allow-all',
    })
    const { runs, start } = starter()
    // 30 days closed: 43,200 occurrences, the last two on time, two more caught up.
    const outcomes = await pass(created + 30 * DAY, start)
    expect(outcomes[0]).toEqual({
      scheduledAt: created + MINUTE,
      outcome: 'missed',
      reason: 'catch-up',
      count: 43_196,
    })
    expect(outcomes.slice(1).map((o) => [o.outcome, (o.scheduledAt - created) / MINUTE])).toEqual([
      ['started', 43_197],
      ['started', 43_198],
      ['started', 43_199],
      ['started', 43_200],
    ])
    expect(runs.size).toBe(4)
    expect(await pass(created + 30 * DAY, start)).toEqual([])
  })
})
