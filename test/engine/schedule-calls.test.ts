import { ArgumentError, NotFoundError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { ScheduleCalls } from '../../src/engine/schedule-calls'
import { simulatedClock } from '../../src/runtime/timers'
import { memoryStore } from '../../src/store/memory-store'

const HOUR = 3_600_000

function setUp() {
  const clock = simulatedClock(Date.UTC(2026, 2, 1))
  const store = memoryStore()
  let changes = 0
  const calls = new ScheduleCalls({ store, clock, changed: () => changes++ })
  return { clock, store, calls, changes: () => changes }
}

describe('ScheduleCalls', () => {
  it('stores a schedule and lists it with its next fire times', async () => {
    const { clock, calls, changes } = setUp()
    const info = await calls.schedule({ id: 'hourly', workflow: 'wf', everyMs: HOUR })
    const t0 = clock.now()
    expect(info).toMatchObject({ id: 'hourly', workflow: 'wf', paused: false, recent: [] })
    expect(info.nextRuns).toEqual([1, 2, 3, 4, 5].map((h) => t0 + h * HOUR))
    expect(await calls.listSchedules()).toEqual([info])
    expect(changes()).toBe(1)
    const daily = await calls.schedule({ workflow: 'wf', cron: '0 9 * * *', timezone: 'Europe/Berlin' })
    expect(daily.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(daily.nextRuns[0]).toBe(Date.UTC(2026, 2, 1, 8))
  })

  it('pauses, resumes and switches a schedule with updateSchedule', async () => {
    const { clock, calls } = setUp()
    await calls.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    expect(await calls.updateSchedule('s', { paused: true })).toMatchObject({ paused: true, nextRuns: [] })
    const switched = await calls.updateSchedule('s', { paused: false, cron: '0 * * * *' })
    expect(switched.spec).toEqual({ id: 's', workflow: 'wf', paused: false, cron: '0 * * * *' })
    expect(switched.nextRuns[0]).toBe(clock.now() + HOUR)
  })

  it('refuses a bad spec, patch or id with a typed error and changes nothing', async () => {
    const { store, calls, changes } = setUp()
    await expect(calls.schedule({ workflow: 'wf', cron: 'every day' })).rejects.toBeInstanceOf(ArgumentError)
    expect(await store.listSchedules()).toEqual([])
    await calls.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    const before = await store.getSchedule('s')
    await expect(calls.updateSchedule('s', { everyMs: -1 })).rejects.toBeInstanceOf(ArgumentError)
    await expect(calls.updateSchedule('s', { id: 't' })).rejects.toBeInstanceOf(ArgumentError)
    await expect(calls.updateSchedule('s', 'paused')).rejects.toBeInstanceOf(ArgumentError)
    await expect(calls.updateSchedule('nope', { paused: true })).rejects.toBeInstanceOf(NotFoundError)
    await expect(calls.unschedule('nope')).rejects.toBeInstanceOf(NotFoundError)
    expect(await store.getSchedule('s')).toEqual(before)
    expect(changes()).toBe(1)
  })

  it('unschedules', async () => {
    const { calls } = setUp()
    await calls.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    await calls.unschedule('s')
    expect(await calls.listSchedules()).toEqual([])
  })
})
