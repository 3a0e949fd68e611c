import { type AccessRequest, type Engine, ForbiddenError, memoryStore, simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { def, testEngines, until } from '../support/engine-fixtures'
import { scheduleEvents } from '../support/schedule-events'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const wf = def({ a: { action: 'noop' } })

const runIds = async (engine: Engine) => (await engine.listRuns()).runs.map((r) => r.runId).sort()

describe('schedules while the app is closed, and across tabs', () => {
  const testEngine = testEngines()
  const temp = tempStores()

  it('an engine created 3 days after the last one closed catches up per policy and publishes schedule.missed', async () => {
    const store = memoryStore()
    const clock = simulatedClock()
    const t0 = clock.now()
    const first = testEngine({ store, clock })
    await first.engine.register(wf)
    await first.engine.schedule({ id: 'latest', workflow: 'wf', everyMs: HOUR })
    await first.engine.schedule({
      id: 'all',
      workflow: 'wf',
      everyMs: HOUR,
      catchUp: { policy: 'all', maxRuns: 3 },
      overlap: 'allow-all',
    })
    await first.engine.schedule({ id: 'none', workflow: 'wf', everyMs: HOUR, catchUp: { policy: 'none' } })
    await first.engine.close()
    clock.advanceTo(t0 + 3 * DAY + 30 * 60_000)

    const later = testEngine({ store, clock })
    const events = scheduleEvents(later.engine)
    await until(() => events.length === 7)
    await later.engine.idle()
    const at = (hours: number) => t0 + hours * HOUR
    expect(events.map((e) => [e.scheduleId, e.type, (e.scheduledAt - t0) / HOUR, e.count])).toEqual([
      ['all', 'schedule.missed', 1, 69],
      ['all', 'schedule.fired', 70, undefined],
      ['all', 'schedule.fired', 71, undefined],
      ['all', 'schedule.fired', 72, undefined],
      ['latest', 'schedule.missed', 1, 71],
      ['latest', 'schedule.fired', 72, undefined],
      ['none', 'schedule.missed', 1, 72],
    ])
    expect(
      events.every((e) => e.at === clock.now() && e.runId === `sched:${e.scheduleId}:${e.scheduledAt}`),
    ).toBe(true)
    expect(await runIds(later.engine)).toEqual(
      [`sched:all:${at(70)}`, `sched:all:${at(71)}`, `sched:all:${at(72)}`, `sched:latest:${at(72)}`].sort(),
    )
    const recent = Object.fromEntries((await later.engine.listSchedules()).map((s) => [s.id, s.recent]))
    expect(recent.none).toEqual([{ scheduledAt: at(1), outcome: 'missed', reason: 'catch-up', count: 72 }])
  })

  it('two tabs on one IndexedDB database start each occurrence once, the second leading after the first closes', async () => {
    const name = temp.open().name
    const clock = simulatedClock()
    const t0 = clock.now()
    const one = testEngine({ store: temp.open(name), clock })
    const two = testEngine({ store: temp.open(name), clock })
    await one.engine.register(wf)
    await two.engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR, overlap: 'allow-all' })
    const fired = async (n: number) => {
      await until(async () => ((await one.engine.listSchedules())[0]?.recent.length ?? 0) >= n)
      await Promise.all([one.engine.idle(), two.engine.idle()])
    }
    for (const n of [1, 2]) {
      clock.advanceTo(t0 + n * HOUR)
      await fired(n)
    }
    // The first tab closes (whichever led, the other leads now), and the other goes on alone.
    await one.engine.close()
    for (const n of [3, 4]) {
      clock.advanceTo(t0 + n * HOUR)
      await until(async () => ((await two.engine.listSchedules())[0]?.recent.length ?? 0) >= n)
    }
    await two.engine.idle()
    const [schedule] = await two.engine.listSchedules()
    const expected = [1, 2, 3, 4].map((n) => `sched:s:${t0 + n * HOUR}`)
    expect(schedule!.recent.map((o) => [o.outcome, o.runId])).toEqual(expected.map((id) => ['started', id]))
    expect(await runIds(two.engine)).toEqual(expected.sort())
    // Closed before its database is deleted (the stores' clean-up runs first): an engine still
    // leading the schedules would open a connection again and block the deletion.
    await two.engine.close()
  })

  it('schedule.fired reaches the events$ of every tab on the database, once each', async () => {
    const name = temp.open().name
    const clock = simulatedClock()
    const t0 = clock.now()
    const one = testEngine({ store: temp.open(name), clock })
    const two = testEngine({ store: temp.open(name), clock })
    const seen = [scheduleEvents(one.engine), scheduleEvents(two.engine)]
    await one.engine.register(wf)
    await two.engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    clock.advanceTo(t0 + HOUR)
    await until(() => seen.every((events) => events.length >= 1))
    await Promise.all([one.engine.idle(), two.engine.idle()])
    // Whichever leads, both tabs see the one fire, and only once.
    for (const events of seen) {
      expect(events.map((e) => [e.type, e.runId])).toEqual([['schedule.fired', `sched:s:${t0 + HOUR}`]])
    }
    await Promise.all([one.engine.close(), two.engine.close()])
  })

  it('asks authorize (schedule, updateSchedule, unschedule) and starts the runs as who set the schedule up', async () => {
    const asked: AccessRequest[] = []
    const { engine, clock, store } = testEngine({
      authorize: (request) => {
        asked.push(request)
        return request.principal !== 'bob'
      },
    })
    const t0 = clock.now()
    await engine.register(wf)
    await expect(
      engine.as('bob').schedule({ id: 's', workflow: 'wf', everyMs: HOUR }),
    ).rejects.toBeInstanceOf(ForbiddenError)
    expect(await store.listSchedules()).toEqual([])
    await engine.as('ann').schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    expect(asked.at(-1)).toEqual({ principal: 'ann', verb: 'schedule', definitionId: 'wf' })
    clock.advanceTo(t0 + HOUR)
    await until(async () => (await engine.getRun(`sched:s:${t0 + HOUR}`)) !== undefined)
    expect((await engine.getRun(`sched:s:${t0 + HOUR}`))?.principal).toBe('ann')
    expect(asked).toContainEqual({ principal: 'ann', verb: 'start', definitionId: 'wf' })

    const before = await store.getSchedule('s')
    await expect(engine.as('bob').updateSchedule('s', { paused: true })).rejects.toBeInstanceOf(
      ForbiddenError,
    )
    await expect(engine.as('bob').unschedule('s')).rejects.toBeInstanceOf(ForbiddenError)
    expect(await store.getSchedule('s')).toEqual(before)
    expect(asked.filter((r) => r.principal === 'bob').map((r) => r.verb)).toEqual([
      'schedule',
      'updateSchedule',
      'unschedule',
    ])
    await engine.as('carl').updateSchedule('s', { everyMs: HOUR })
    clock.advanceTo(t0 + 2 * HOUR)
    await until(async () => (await engine.getRun(`sched:s:${t0 + 2 * HOUR}`)) !== undefined)
    expect((await engine.getRun(`sched:s:${t0 + 2 * HOUR}`))?.principal).toBe('carl')
    await engine.as('carl').unschedule('s')
    expect(asked.at(-1)).toEqual({ principal: 'carl', verb: 'unschedule', definitionId: 'wf' })
    expect(await engine.listSchedules()).toEqual([])
  })
})
