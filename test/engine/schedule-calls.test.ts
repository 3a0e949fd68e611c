import { ArgumentError, NotFoundError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngines } from '../support/engine-fixtures'

const HOUR = 3_600_000
const wf = def({ a: { action: 'noop' } })

describe('schedule calls', () => {
  const testEngine = testEngines()

  async function setUp() {
    const made = testEngine()
    made.clock.advanceTo(Date.UTC(2026, 2, 1))
    await made.engine.register(wf)
    return made
  }

  it('stores a schedule and lists it with its next fire times', async () => {
    const { clock, engine } = await setUp()
    const info = await engine.schedule({ id: 'hourly', workflow: 'wf', everyMs: HOUR })
    const t0 = clock.now()
    expect(info).toMatchObject({ id: 'hourly', workflow: 'wf', paused: false, recent: [] })
    expect(info.nextRuns).toEqual([1, 2, 3, 4, 5].map((h) => t0 + h * HOUR))
    expect(await engine.listSchedules()).toEqual([info])
    const daily = await engine.schedule({ workflow: 'wf', cron: '0 9 * * *', timezone: 'Europe/Berlin' })
    expect(daily.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(daily.nextRuns[0]).toBe(Date.UTC(2026, 2, 1, 8))
  })

  it('pauses, resumes and switches a schedule with updateSchedule', async () => {
    const { clock, engine } = await setUp()
    await engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    expect(await engine.updateSchedule('s', { paused: true })).toMatchObject({ paused: true, nextRuns: [] })
    const switched = await engine.updateSchedule('s', { paused: false, cron: '0 * * * *' })
    expect(switched.spec).toEqual({ id: 's', workflow: 'wf', paused: false, cron: '0 * * * *' })
    expect(switched.nextRuns[0]).toBe(clock.now() + HOUR)
  })

  it('refuses a bad spec, patch or id with a typed error and changes nothing', async () => {
    const { engine, store } = await setUp()
    await expect(engine.schedule({ workflow: 'wf', cron: 'every day' })).rejects.toBeInstanceOf(ArgumentError)
    expect(await store.listSchedules()).toEqual([])
    await engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    const before = await store.getSchedule('s')
    await expect(engine.updateSchedule('s', { everyMs: -1 })).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.updateSchedule('s', { id: 't' })).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.updateSchedule('s', 'paused' as never)).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.updateSchedule('nope', { paused: true })).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.unschedule('nope')).rejects.toBeInstanceOf(NotFoundError)
    expect(await store.getSchedule('s')).toEqual(before)
  })

  it('unschedules', async () => {
    const { engine } = await setUp()
    await engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    await engine.unschedule('s')
    expect(await engine.listSchedules()).toEqual([])
  })
})
