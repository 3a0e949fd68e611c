import { ArgumentError, type Engine, NotFoundError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngines, until } from '../support/engine-fixtures'
import { scheduleEvents } from '../support/schedule-events'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** A workflow that echoes its input. */
const report = def(
  { a: { action: 'transform', params: { value: '${ input }' } } },
  { id: 'report', params: { at: { type: 'number' }, label: { type: 'string' } } },
)

/** Waits until schedule `id` recorded `count` outcomes (the leader works in the background). */
async function recorded(engine: Engine, id: string, count: number) {
  await until(
    async () => ((await engine.listSchedules()).find((s) => s.id === id)?.recent.length ?? 0) >= count,
  )
  await engine.idle()
  return (await engine.listSchedules()).find((s) => s.id === id)!.recent
}

describe('schedules through the engine', () => {
  const testEngine = testEngines()

  it('fires at each occurrence with input templates over schedule, and says so on events$', async () => {
    const { engine, clock } = testEngine()
    await engine.register(report)
    const events = scheduleEvents(engine)
    const t0 = clock.now()
    const info = await engine.schedule({
      id: 'hourly',
      workflow: 'report',
      everyMs: HOUR,
      input: { at: '${ schedule.scheduledAt }', label: '${ schedule.id } ${ schedule.lateMs }' },
    })
    expect(info).toMatchObject({ id: 'hourly', workflow: 'report', paused: false, recent: [] })
    expect(info.nextRuns).toEqual([1, 2, 3, 4, 5].map((h) => t0 + h * HOUR))
    clock.advance(HOUR)
    const [first] = await recorded(engine, 'hourly', 1)
    const runId = `sched:hourly:${t0 + HOUR}`
    expect(first).toEqual({ scheduledAt: t0 + HOUR, runId, outcome: 'started' })
    const done = await engine.wait(runId)
    expect(done.input).toEqual({ at: t0 + HOUR, label: 'hourly 0' })
    expect(events).toEqual([
      { type: 'schedule.fired', scheduleId: 'hourly', scheduledAt: t0 + HOUR, runId, at: t0 + HOUR },
    ])
    // Not in the run's journal: a schedule's events are kept with the schedule.
    expect((await engine.history(runId)).some((e) => e.type.startsWith('schedule.'))).toBe(false)
    clock.advance(HOUR)
    await recorded(engine, 'hourly', 2)
    expect((await engine.listRuns()).runs.map((r) => r.runId).sort()).toEqual(
      [runId, `sched:hourly:${t0 + 2 * HOUR}`].sort(),
    )
    await engine.unschedule('hourly')
    expect(await engine.listSchedules()).toEqual([])
    clock.advance(HOUR)
    await engine.idle()
    expect((await engine.listRuns()).runs).toHaveLength(2)
  })

  it('refuses a workflow that is not registered (NOT_FOUND) and a bad spec listing every problem, storing nothing', async () => {
    const { engine } = testEngine()
    await expect(engine.schedule({ workflow: 'nope', everyMs: HOUR })).rejects.toBeInstanceOf(NotFoundError)
    await engine.register(report)
    const bad = engine.schedule({
      workflow: 'report',
      cron: '61 * * * *',
      timezone: 'Mars/Olympus',
      overlap: 'sometimes' as never,
      jitterMs: -5,
      input: { at: '${ schedule.nope( }', label: '${ event.type }' },
      extra: 1,
    } as never)
    await expect(bad).rejects.toBeInstanceOf(ArgumentError)
    const message = await bad.catch((error: Error) => error.message)
    for (const part of ['"extra"', '"cron"', '"overlap"', '"jitterMs"', 'input.at', 'input.label']) {
      expect(message).toContain(part)
    }
    expect(await engine.listSchedules()).toEqual([])
    await engine.schedule({ id: 's', workflow: 'report', everyMs: HOUR })
    const before = await engine.listSchedules()
    await expect(engine.updateSchedule('s', { input: { at: '${ schedule. }' } })).rejects.toBeInstanceOf(
      ArgumentError,
    )
    await expect(engine.updateSchedule('s', { workflow: 'nope' })).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.updateSchedule('nope', { paused: true })).rejects.toBeInstanceOf(NotFoundError)
    expect(await engine.listSchedules()).toEqual(before)
  })

  it('pauses and resumes with updateSchedule: occurrences while paused are missed, reason paused', async () => {
    const { engine, clock } = testEngine()
    await engine.register(report)
    const events = scheduleEvents(engine)
    const t0 = clock.now()
    await engine.schedule({ id: 's', workflow: 'report', everyMs: HOUR })
    expect(await engine.updateSchedule('s', { paused: true })).toMatchObject({ paused: true, nextRuns: [] })
    clock.advance(HOUR)
    await recorded(engine, 's', 1)
    clock.advance(HOUR)
    const recent = await recorded(engine, 's', 2)
    expect(recent.map((o) => [o.outcome, o.reason])).toEqual([
      ['missed', 'paused'],
      ['missed', 'paused'],
    ])
    const resumed = await engine.updateSchedule('s', { paused: false })
    expect(resumed.nextRuns[0]).toBe(t0 + 3 * HOUR)
    clock.advance(HOUR)
    expect((await recorded(engine, 's', 3)).at(-1)).toMatchObject({
      outcome: 'started',
      scheduledAt: t0 + 3 * HOUR,
    })
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['schedule.missed', 'paused'],
      ['schedule.missed', 'paused'],
      ['schedule.fired', undefined],
    ])
    expect((await engine.listRuns()).runs).toHaveLength(1)
  })

  it('fires at 09:00 Berlin time across days and both DST changes', async () => {
    const { engine, clock } = testEngine()
    await engine.register(report)
    clock.advanceTo(Date.UTC(2026, 2, 27, 12))
    await engine.schedule({ id: 'nine', workflow: 'report', cron: '0 9 * * *', timezone: 'Europe/Berlin' })
    // Winter time is UTC+1, summer time UTC+2: the spring-forward night is 28/29 March, fall-back 24/25 October.
    const expected = [Date.UTC(2026, 2, 28, 8), Date.UTC(2026, 2, 29, 7), Date.UTC(2026, 2, 30, 7)]
    for (const [i, time] of expected.entries()) {
      clock.advanceTo(time)
      await recorded(engine, 'nine', i + 1)
    }
    // Closed from 30 March to 24 October: nothing of it is caught up, all of it is one entry.
    await engine.updateSchedule('nine', { catchUp: { policy: 'none' } })
    clock.advanceTo(Date.UTC(2026, 9, 24, 12))
    await recorded(engine, 'nine', 4)
    for (const [i, time] of [Date.UTC(2026, 9, 25, 8), Date.UTC(2026, 9, 26, 8)].entries()) {
      clock.advanceTo(time)
      await recorded(engine, 'nine', 5 + i)
    }
    const recent = (await engine.listSchedules())[0]!.recent
    expect(recent.filter((o) => o.outcome === 'started').map((o) => o.scheduledAt)).toEqual([
      ...expected,
      Date.UTC(2026, 9, 25, 8),
      Date.UTC(2026, 9, 26, 8),
    ])
    expect(recent[3]).toEqual({
      scheduledAt: Date.UTC(2026, 2, 31, 7),
      outcome: 'missed',
      reason: 'catch-up',
      count: 208,
    })
  })

  it('holds one clock timer while there are schedules, and none of its own when there are none', async () => {
    const { engine, clock, store } = testEngine()
    await engine.register(report)
    await engine.schedule({ id: 's', workflow: 'report', everyMs: HOUR })
    // Once the leader made its first pass, the schedule's next occurrence has a timer.
    await until(async () => clock.pending > 0 && (await store.listSchedules()).length === 1)
    await engine.idle()
    const withSchedule = clock.pending
    await engine.unschedule('s')
    await engine.idle()
    expect(clock.pending).toBe(withSchedule - 1)
  })

  it('records an occurrence whose run is refused as missed, reason refused, with the error, and goes on', async () => {
    const { engine, clock } = testEngine()
    await engine.register(report)
    const events = scheduleEvents(engine)
    const t0 = clock.now()
    // The input is checked against the workflow's params when the run starts: `at` must be a number.
    await engine.schedule({ id: 's', workflow: 'report', everyMs: HOUR, input: { at: '${ schedule.id }' } })
    clock.advance(HOUR)
    const [refused] = await recorded(engine, 's', 1)
    expect(refused).toMatchObject({ scheduledAt: t0 + HOUR, outcome: 'missed', reason: 'refused' })
    expect(refused!.error?.code).toBe('INPUT_INVALID')
    expect(events[0]).toMatchObject({ type: 'schedule.missed', reason: 'refused', error: refused!.error })
    expect((await engine.listRuns()).runs).toEqual([])
    await engine.updateSchedule('s', { input: { at: '${ schedule.scheduledAt }' } })
    clock.advance(HOUR)
    expect((await recorded(engine, 's', 2)).at(-1)).toMatchObject({ outcome: 'started' })
  })
})
