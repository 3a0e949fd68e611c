import {
  createEngine,
  type Engine,
  type EngineOptions,
  memoryStore,
  type Store,
  simulatedClock,
} from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { NEXT_SLICE_MS, SWEEP_EVERY_MS } from '../../src/engine/retention-sweep'
import { lockName, runLockName } from '../../src/host/locks'
import { brokenClock } from '../support/broken-clock'
import { until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)
const DAY = 24 * 60 * 60 * 1000
const quick = { schemaVersion: '2.0', id: 'quick', version: '1.0.0', tasks: { a: { action: 'noop' } } }

describe('retention applied by the leader in the background', () => {
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  const open = (store: Store, at: number, options: EngineOptions = {}) => {
    const clock = simulatedClock(at)
    const engine = createEngine({ store, clock, recover: false, ...options })
    engines.push(engine)
    return { engine, clock }
  }
  /**
   * The timers an engine holds when its retention sweep holds none (the other leader services'),
   * read from an engine without background retention on an empty store.
   */
  const otherTimers = async () => {
    const store = fresh()
    const { engine, clock } = open(store, START, { retention: false })
    await engine.idle()
    await until(async () => await leads(store))
    return clock.pending
  }
  /** Whether an engine holds the leader lock of `store` (its services run). */
  const leads = async (store: Store) =>
    ((await navigator.locks.query()).held ?? []).some((lock) => lock.name === lockName(store.name, 'leader'))
  /** A memory store of its own: engines on stores of one name share their Web Locks. */
  const fresh = () => memoryStore({ name: `retention-${crypto.randomUUID()}` })
  const runIds = async (store: Store) => (await store.listRuns({})).map((r) => r.runId).sort()

  /** `count` runs of `quick` that ended at `START`, written by an engine that is closed again. */
  async function endedRuns(store: Store, count: number): Promise<void> {
    const { engine } = open(store, START, { retention: false })
    await engine.register(quick)
    for (let i = 0; i < count; i++) await engine.start('quick', {}, { runId: `old${i}` })
    await engine.idle()
    await engine.close()
  }

  it('is on by default: a new leader deletes what is past its age at once, and holds no timer idle', async () => {
    const store = fresh()
    const base = await otherTimers()
    await endedRuns(store, 3)
    // 15 days later: completed runs are kept 14 days by default.
    const { engine, clock } = open(store, START + 15 * DAY)
    await until(async () => (await runIds(store)).length === 0)
    await engine.idle()
    expect(clock.pending).toBe(base)
    // A run that ends now is kept, and arms nothing either.
    await engine.register(quick)
    await engine.start('quick', {}, { runId: 'new' })
    await engine.idle()
    expect(await runIds(store)).toEqual(['new'])
    expect(clock.pending).toBe(base)
  })

  it('sweeps again when a run ends an hour or more after the last sweep', async () => {
    const store = fresh()
    const base = await otherTimers()
    const { engine, clock } = open(store, START, { retention: { completed: { maxAgeMs: 10 * 60_000 } } })
    await until(() => leads(store))
    await engine.register(quick)
    await engine.start('quick', {}, { runId: 'first' })
    await engine.idle()
    clock.advance(DAY)
    // Nothing ended in this engine since: nothing is swept, no timer waits.
    expect(await runIds(store)).toEqual(['first'])
    expect(clock.pending).toBe(base)
    await engine.start('quick', {}, { runId: 'second' })
    await until(async () => (await runIds(store)).join() === 'second')
    // Within the hour, a run ending starts no sweep: second, past its age, stays.
    clock.advance(30 * 60_000)
    await engine.start('quick', {}, { runId: 'third' })
    await engine.idle()
    expect(await runIds(store)).toEqual(['second', 'third'])
    clock.advance(SWEEP_EVERY_MS)
    await engine.start('quick', {}, { runId: 'fourth' })
    await until(async () => (await runIds(store)).join() === 'fourth')
  })

  it('deletes in slices of 50, a second apart, then holds no timer', async () => {
    const store = fresh()
    const base = await otherTimers()
    await endedRuns(store, 120)
    const { clock } = open(store, START + 2 * DAY, { retention: { completed: { maxAgeMs: DAY } } })
    await until(async () => (await runIds(store)).length === 70)
    expect(clock.pending).toBe(base + 1)
    clock.advance(NEXT_SLICE_MS)
    await until(async () => (await runIds(store)).length === 20)
    clock.advance(NEXT_SLICE_MS)
    await until(async () => (await runIds(store)).length === 0 && clock.pending === base)
  })

  it('goes on to the next slice when runs another engine holds kept a slice from filling', async () => {
    const store = fresh()
    await endedRuns(store, 60)
    // Every fifth run is held elsewhere: each slice of 50 keeps some of them.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const holds = Array.from(
      { length: 12 },
      (_, i) =>
        new Promise<void>((taken) => {
          void navigator.locks.request(runLockName(store.name, `old${i * 5}`), () => {
            taken()
            return held
          })
        }),
    )
    await Promise.all(holds)
    try {
      const { clock } = open(store, START + 2 * DAY, { retention: { completed: { maxAgeMs: DAY } } })
      await until(async () => (await runIds(store)).length < 60)
      expect(await runIds(store)).not.toHaveLength(12)
      clock.advance(NEXT_SLICE_MS)
      await until(async () => (await runIds(store)).length === 12)
    } finally {
      release()
    }
  })

  it('reports a next slice the clock cannot arm instead of rejecting the sweep', async () => {
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    try {
      const store = fresh()
      await endedRuns(store, 60)
      const inner = simulatedClock(START + 2 * DAY)
      const broken = new Error('no timers here')
      open(store, START + 2 * DAY, {
        retention: { completed: { maxAgeMs: DAY } },
        clock: brokenClock(inner, broken, (ms) => ms === NEXT_SLICE_MS),
      })
      await until(async () => reported.length > 0)
      expect(reported).toEqual([broken])
      expect(await runIds(store)).toHaveLength(10)
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('retention: false deletes nothing in the background; purge() still applies the defaults', async () => {
    const store = fresh()
    const base = await otherTimers()
    await endedRuns(store, 2)
    const { engine, clock } = open(store, START + 15 * DAY, { retention: false })
    await engine.register(quick)
    await engine.start('quick', {}, { runId: 'new' })
    await engine.idle()
    clock.advance(SWEEP_EVERY_MS)
    await engine.start('quick', {}, { runId: 'newer' })
    await engine.idle()
    expect(await runIds(store)).toEqual(['new', 'newer', 'old0', 'old1'])
    expect(clock.pending).toBe(base)
    expect(await engine.purge()).toBe(2)
    expect(await runIds(store)).toEqual(['new', 'newer'])
  })
})
