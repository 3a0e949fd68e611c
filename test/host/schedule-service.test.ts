import { describe, expect, it, vi } from 'vitest'
import { type ScheduledStart, scheduledRunId } from '../../src/host/schedule-firing'
import { RETRY_AFTER_FAILURE_MS, ScheduleService } from '../../src/host/schedule-service'
import { simulatedClock } from '../../src/runtime/timers'
import { memoryStore } from '../../src/store/memory-store'
import type { Store } from '../../src/store/store'
import type { ScheduleEvent, ScheduleSpec } from '../../src/types'
import { until } from '../support/engine-fixtures'

const HOUR = 3_600_000
const DAY = 24 * HOUR

function setUp() {
  const clock = simulatedClock(Date.UTC(2026, 2, 1))
  const store = memoryStore()
  const runs: string[] = []
  const events: ScheduleEvent[] = []
  const start = async ({ runId }: ScheduledStart) => {
    if (runs.includes(runId)) return 'exists' as const
    runs.push(runId)
    return 'started' as const
  }
  const service = (on: Store = store) =>
    new ScheduleService({ store: on, clock, start, publish: (e) => events.push(e) })
  const add = (spec: Omit<ScheduleSpec, 'workflow' | 'id'>, id = 's') =>
    store.putSchedule({
      scheduleId: id,
      spec: { id, workflow: 'wf', ...spec },
      createdAt: clock.now(),
      updatedAt: clock.now(),
      recent: [],
    })
  return { clock, store, runs, events, service, add }
}

/** Lets the passes the clock's timers started finish. */
async function settle(service: ScheduleService) {
  for (let i = 0; i < 5; i++) {
    await service.settled()
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
}

describe('ScheduleService', () => {
  it('fires each occurrence at its time while it leads, and publishes schedule.fired', async () => {
    const { clock, runs, events, service, add } = setUp()
    const t0 = clock.now()
    await add({ everyMs: HOUR })
    const leader = service()
    leader.start(new AbortController().signal)
    await settle(leader)
    expect(runs).toEqual([])
    for (let hour = 1; hour <= 3; hour++) {
      clock.advance(HOUR)
      await settle(leader)
    }
    expect(runs).toEqual([1, 2, 3].map((h) => scheduledRunId('s', t0 + h * HOUR)))
    expect(events.map((e) => [e.type, e.scheduledAt, e.runId])).toEqual(
      [1, 2, 3].map((h) => ['schedule.fired', t0 + h * HOUR, scheduledRunId('s', t0 + h * HOUR)]),
    )
  })

  it('stops firing when it stops leading; a new leader days later catches up and reports the missed', async () => {
    const { clock, runs, events, service, add } = setUp()
    const t0 = clock.now()
    await add({ everyMs: DAY })
    const term = new AbortController()
    const first = service()
    first.start(term.signal)
    await settle(first)
    term.abort() // the tab closed
    clock.advance(3 * DAY + HOUR)
    await settle(first)
    expect(runs).toEqual([])
    const next = service()
    next.start(new AbortController().signal)
    await settle(next)
    expect(runs).toEqual([scheduledRunId('s', t0 + 3 * DAY)])
    expect(events.map((e) => [e.type, e.scheduledAt, e.reason, e.count, e.runId])).toEqual([
      ['schedule.missed', t0 + DAY, 'catch-up', 2, scheduledRunId('s', t0 + DAY)],
      ['schedule.fired', t0 + 3 * DAY, undefined, undefined, scheduledRunId('s', t0 + 3 * DAY)],
    ])
    expect(events.every((e) => e.at === clock.now())).toBe(true)
    clock.advance(DAY)
    await settle(next)
    expect(runs.at(-1)).toBe(scheduledRunId('s', t0 + 4 * DAY))
  })

  it('fires a cron schedule at 09:00 Berlin time on both sides of the DST change', async () => {
    const { clock, runs, service, add } = setUp()
    clock.advanceTo(Date.UTC(2026, 2, 28, 0))
    await add({ cron: '0 9 * * *', timezone: 'Europe/Berlin' })
    const leader = service()
    leader.start(new AbortController().signal)
    for (let i = 0; i < 8; i++) {
      clock.advance(6 * HOUR)
      await settle(leader)
    }
    expect(runs).toEqual([
      scheduledRunId('s', Date.UTC(2026, 2, 28, 8)),
      scheduledRunId('s', Date.UTC(2026, 2, 29, 7)),
    ])
  })

  it('with two leaders on one store (a lost lock), starts each occurrence once', async () => {
    const { clock, runs, events, service, add } = setUp()
    await add({ everyMs: HOUR })
    const a = service()
    const b = service()
    a.start(new AbortController().signal)
    b.start(new AbortController().signal)
    clock.advance(HOUR)
    await Promise.all([settle(a), settle(b)])
    expect(runs).toHaveLength(1)
    expect(events).toHaveLength(1)
  })

  it('publishes what a pass recorded even when the leadership ends while it starts the run', async () => {
    const { clock, store, events, add } = setUp()
    const t0 = clock.now()
    await add({ everyMs: HOUR })
    let release: () => void = () => {}
    const starting = new Promise<void>((resolve) => {
      release = resolve
    })
    const term = new AbortController()
    const leader = new ScheduleService({
      store,
      clock,
      start: async () => {
        // The lock is lost between the start and the schedule's advance.
        term.abort()
        await starting
        return 'started'
      },
      publish: (e) => events.push(e),
    })
    leader.start(term.signal)
    clock.advance(HOUR)
    await until(() => term.signal.aborted)
    release()
    await settle(leader)
    const recorded = (await store.getSchedule('s'))!.recent
    expect(recorded.map((o) => [o.outcome, o.scheduledAt])).toEqual([['started', t0 + HOUR]])
    expect(events.map((e) => [e.type, e.scheduledAt])).toEqual([['schedule.fired', t0 + HOUR]])
  })

  it('a schedule whose start fails is reported and tried again a minute later; the others fire meanwhile', async () => {
    const { clock, store, runs, events, add } = setUp()
    const t0 = clock.now()
    await add({ everyMs: HOUR }, 'a-broken')
    await add({ everyMs: HOUR }, 'b-fine')
    const reported: unknown[] = []
    const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    try {
      let broken = true
      const leader = new ScheduleService({
        store,
        clock,
        start: async ({ runId, scheduleId }) => {
          if (scheduleId === 'a-broken' && broken) throw new Error('the workflow is gone')
          runs.push(runId)
          return 'started'
        },
        publish: (e) => events.push(e),
      })
      leader.start(new AbortController().signal)
      clock.advance(HOUR)
      await settle(leader)
      expect(runs).toEqual([scheduledRunId('b-fine', t0 + HOUR)])
      expect(reported).toHaveLength(1)
      expect((await store.getSchedule('a-broken'))?.recent).toEqual([])
      broken = false
      clock.advance(RETRY_AFTER_FAILURE_MS)
      await settle(leader)
      expect(runs).toEqual([scheduledRunId('b-fine', t0 + HOUR), scheduledRunId('a-broken', t0 + HOUR)])
    } finally {
      spy.mockRestore()
    }
  })
})
