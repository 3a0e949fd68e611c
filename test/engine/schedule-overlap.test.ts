import type { Engine, ScheduleOverlap, Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { jitterOf } from '../../src/core/schedules/jitter'
import { def, testEngines, until } from '../support/engine-fixtures'

const HOUR = 3_600_000

/** A run that goes on until it is sent the signal `go`. */
const held = def({ gate: { action: 'wait-for-event', params: { event: 'go' } } }, { id: 'held' })

const runId = (t: number) => `sched:s:${t}`

describe('schedule overlap and jitter through the engine', () => {
  const testEngine = testEngines()

  async function setUp(overlap?: ScheduleOverlap) {
    const made = testEngine()
    await made.engine.register(held)
    const t0 = made.clock.now()
    await made.engine.schedule({ id: 's', workflow: 'held', everyMs: HOUR, ...(overlap && { overlap }) })
    /** Moves to the n-th occurrence and waits until the schedule shows `check`. */
    const at = async (n: number, check: (s: Awaited<ReturnType<Store['getSchedule']>>) => boolean) => {
      made.clock.advanceTo(t0 + n * HOUR)
      await settled(made.engine, made.store, check)
    }
    return { ...made, t0, at }
  }

  async function settled(
    engine: Engine,
    store: Store,
    check: (s: Awaited<ReturnType<Store['getSchedule']>>) => boolean,
  ) {
    await until(async () => check(await store.getSchedule('s')))
    await engine.idle()
  }

  const statuses = async (engine: Engine) =>
    Object.fromEntries((await engine.listRuns()).runs.map((r) => [r.runId, r.status]))

  it('skip (the default): an occurrence while the last run goes is missed, reason overlap', async () => {
    const { engine, t0, at } = await setUp()
    await at(1, (s) => s?.recent.length === 1)
    await at(2, (s) => s?.recent.length === 2)
    await engine.signal(runId(t0 + HOUR), 'go')
    await engine.wait(runId(t0 + HOUR))
    await at(3, (s) => s?.recent.length === 3)
    const [schedule] = await engine.listSchedules()
    expect(schedule!.recent.map((o) => [o.outcome, o.reason])).toEqual([
      ['started', undefined],
      ['missed', 'overlap'],
      ['started', undefined],
    ])
    expect(Object.keys(await statuses(engine)).sort()).toEqual(
      [runId(t0 + HOUR), runId(t0 + 3 * HOUR)].sort(),
    )
  })

  it('buffer-one keeps the newest occurrence and starts it when the run ends', async () => {
    const { engine, store, t0, at } = await setUp('buffer-one')
    await at(1, (s) => s?.recent.length === 1)
    await at(2, (s) => s?.pending?.length === 1)
    await at(3, (s) => s?.pending?.[0] === t0 + 3 * HOUR && s.recent.length === 2)
    expect((await store.getSchedule('s'))?.recent.at(-1)).toEqual({
      scheduledAt: t0 + 2 * HOUR,
      outcome: 'missed',
      reason: 'overlap',
    })
    await engine.signal(runId(t0 + HOUR), 'go')
    await settled(engine, store, (s) => s?.recent.length === 3)
    expect(await statuses(engine)).toEqual({
      [runId(t0 + HOUR)]: 'completed',
      [runId(t0 + 3 * HOUR)]: 'running',
    })
    expect((await store.getSchedule('s'))?.pending).toBeUndefined()
  })

  it('buffer-all keeps every occurrence and starts them one after the other, in order', async () => {
    const { engine, store, t0, at } = await setUp('buffer-all')
    await at(1, (s) => s?.recent.length === 1)
    await at(2, (s) => s?.pending?.length === 1)
    await at(3, (s) => s?.pending?.length === 2)
    await engine.signal(runId(t0 + HOUR), 'go')
    await settled(engine, store, (s) => s?.recent.length === 2)
    expect(await statuses(engine)).toEqual({
      [runId(t0 + HOUR)]: 'completed',
      [runId(t0 + 2 * HOUR)]: 'running',
    })
    await engine.signal(runId(t0 + 2 * HOUR), 'go')
    await settled(engine, store, (s) => s?.recent.length === 3)
    expect((await engine.listSchedules())[0]!.recent.map((o) => o.runId)).toEqual(
      [1, 2, 3].map((n) => runId(t0 + n * HOUR)),
    )
  })

  it('cancel-other cancels the run that goes on, then starts the new one', async () => {
    const { engine, t0, at } = await setUp('cancel-other')
    await at(1, (s) => s?.recent.length === 1)
    await at(2, (s) => s?.recent.length === 2)
    expect(await statuses(engine)).toEqual({
      [runId(t0 + HOUR)]: 'cancelled',
      [runId(t0 + 2 * HOUR)]: 'running',
    })
  })

  it('allow-all starts every occurrence whatever runs', async () => {
    const { engine, t0, at } = await setUp('allow-all')
    await at(1, (s) => s?.recent.length === 1)
    await at(2, (s) => s?.recent.length === 2)
    expect(await statuses(engine)).toEqual({
      [runId(t0 + HOUR)]: 'running',
      [runId(t0 + 2 * HOUR)]: 'running',
    })
  })

  it('jitterMs delays each occurrence by its own fixed amount; the run id keeps the scheduled time', async () => {
    const made = testEngine()
    const { engine, clock } = made
    await engine.register(held)
    const t0 = clock.now()
    await engine.schedule({
      id: 's',
      workflow: 'held',
      everyMs: HOUR,
      jitterMs: 20 * 60_000,
      overlap: 'allow-all',
    })
    for (const n of [1, 2]) {
      const time = t0 + n * HOUR
      const delay = jitterOf(runId(time), 20 * 60_000)
      clock.advanceTo(time + delay - 1)
      await engine.idle()
      expect(await engine.getRun(runId(time))).toBeUndefined()
      clock.advanceTo(time + delay)
      await settled(engine, made.store, (s) => s?.recent.length === n)
      expect((await engine.getRun(runId(time)))?.createdAt).toBe(time + delay)
    }
    expect(jitterOf(runId(t0 + HOUR), 20 * 60_000)).not.toBe(jitterOf(runId(t0 + 2 * HOUR), 20 * 60_000))
  })

  it('a buffered occurrence survives a reload: the next engine starts it when the run ends', async () => {
    const first = await setUp('buffer-all')
    const { t0, at, store, clock } = first
    await at(1, (s) => s?.recent.length === 1)
    await at(2, (s) => s?.pending?.length === 1)
    await first.engine.close()
    const later = testEngine({ store, clock })
    await later.engine.signal(runId(t0 + HOUR), 'go')
    await settled(later.engine, store, (s) => s?.recent.length === 2)
    expect(await statuses(later.engine)).toEqual({
      [runId(t0 + HOUR)]: 'completed',
      [runId(t0 + 2 * HOUR)]: 'running',
    })
    expect((await store.getSchedule('s'))?.pending).toBeUndefined()
  })
})
