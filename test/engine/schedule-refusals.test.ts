import { type Engine, memoryStore, StorageError } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { def, testEngines, until } from '../support/engine-fixtures'
import { scheduleEvents } from '../support/schedule-events'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const wf = def({ a: { action: 'noop' } })
/** A run that goes on until it is sent the signal `go`. */
const held = def({ gate: { action: 'wait-for-event', params: { event: 'go' } } }, { id: 'held' })

const recentOf = async (engine: Engine) => (await engine.listSchedules())[0]?.recent ?? []

describe('schedule starts that are refused', () => {
  const testEngine = testEngines()
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('a workflow deleted after it was scheduled: each occurrence is missed, reason refused (NOT_FOUND), until it is registered again; it can be paused meanwhile', async () => {
    const { engine, clock } = testEngine()
    const t0 = clock.now()
    const events = scheduleEvents(engine)
    await engine.register(wf)
    await engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    await engine.deleteDefinition('wf')
    clock.advance(HOUR)
    await until(async () => (await recentOf(engine)).length === 1)
    await engine.idle()
    expect(await recentOf(engine)).toEqual([
      {
        scheduledAt: t0 + HOUR,
        outcome: 'missed',
        reason: 'refused',
        error: expect.objectContaining({ code: 'NOT_FOUND' }),
      },
    ])
    expect(events.map((e) => [e.type, e.reason])).toEqual([['schedule.missed', 'refused']])
    // Pausing and resuming need no workflow; any other change does.
    expect((await engine.updateSchedule('s', { paused: true })).paused).toBe(true)
    await expect(engine.updateSchedule('s', { everyMs: 2 * HOUR })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect((await engine.updateSchedule('s', { paused: false })).paused).toBe(false)
    await engine.register(wf)
    clock.advance(HOUR)
    await until(async () => (await recentOf(engine)).length === 2)
    expect((await recentOf(engine)).at(-1)).toMatchObject({
      scheduledAt: t0 + 2 * HOUR,
      outcome: 'started',
      runId: `sched:s:${t0 + 2 * HOUR}`,
    })
  })

  it('while the disk is full, an occurrence is not started nor dropped: reported, tried again a minute later, started once a write succeeds', async () => {
    const store = faultyStore(memoryStore())
    const { engine, clock } = testEngine({ store })
    const t0 = clock.now()
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    await engine.register(wf)
    await engine.schedule({ id: 's', workflow: 'wf', everyMs: HOUR })
    const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    store.inject({ method: 'commit', entryType: 'workflow.started', times: Infinity, error: quota })
    clock.advance(HOUR)
    await until(() => reported.length === 1)
    await engine.idle()
    expect(reported[0]).toBeInstanceOf(StorageError)
    expect(reported[0]).toMatchObject({ code: 'STORAGE_FAILED', reason: 'quota' })
    expect(await recentOf(engine)).toEqual([])
    expect((await engine.listRuns()).runs).toEqual([])
    // A minute later the disk is still full: the try is the start's probe write, which fails again.
    const commits = store.calls('commit')
    clock.advance(MINUTE)
    await until(() => reported.length === 2)
    await engine.idle()
    expect(store.calls('commit')).toBe(commits + 1)
    expect(await recentOf(engine)).toEqual([])
    // Space is back: the next try starts the occurrence under its own run id.
    store.heal()
    clock.advance(MINUTE)
    await until(async () => (await recentOf(engine)).length === 1)
    await engine.idle()
    expect(await recentOf(engine)).toEqual([
      { scheduledAt: t0 + HOUR, outcome: 'started', runId: `sched:s:${t0 + HOUR}` },
    ])
    expect(reported).toHaveLength(2)
  })
  it('cancel-other whose cancel authorize refuses: the occurrence is missed, reason refused, and the schedule goes on', async () => {
    const { engine, clock } = testEngine({ authorize: (request) => request.verb !== 'cancel' })
    const t0 = clock.now()
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    await engine.register(held)
    await engine.as('ann').schedule({ id: 's', workflow: 'held', everyMs: HOUR, overlap: 'cancel-other' })
    clock.advance(HOUR)
    await until(async () => (await recentOf(engine)).length === 1)
    clock.advance(HOUR)
    await until(async () => (await recentOf(engine)).length === 2 || reported.length > 0)
    await engine.idle()
    expect(reported).toEqual([])
    expect((await recentOf(engine)).at(-1)).toEqual({
      scheduledAt: t0 + 2 * HOUR,
      outcome: 'missed',
      reason: 'refused',
      error: expect.objectContaining({ code: 'FORBIDDEN' }),
    })
    expect((await engine.getRun(`sched:s:${t0 + HOUR}`))?.status).toBe('running')
    expect(await engine.getRun(`sched:s:${t0 + 2 * HOUR}`)).toBeUndefined()
  })
})
