import { memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { testEngines, until } from '../support/engine-fixtures'

const HOUR = 60 * 60 * 1000

describe('the event log sweep', () => {
  const testEngine = testEngines()
  afterEach(() => vi.restoreAllMocks())

  it('the leader deletes events older than 24 h after an emit, at most once an hour', async () => {
    const { engine, clock, store } = testEngine()
    // The sweep of coming to lead, once the engine holds the leader lock.
    const sweeps = vi.spyOn(store, 'deleteEvents')
    await until(() => sweeps.mock.calls.length === 1)
    await engine.emit({ type: 'a', id: 'old' })
    clock.advance(24 * HOUR + 1)
    await engine.emit({ type: 'a', id: 'new' })
    await engine.idle()
    expect((await store.listEvents('a', 0)).map((e) => e.id)).toEqual(['new'])
    clock.advance(30 * 60 * 1000)
    await engine.emit({ type: 'a', id: 'later' })
    clock.advance(24 * HOUR - 30 * 60 * 1000)
    // Within the hour of the last sweep nothing is swept; after it, the old ones go.
    await engine.emit({ type: 'a', id: 'x' })
    await engine.idle()
    expect((await store.listEvents('a', 0)).map((e) => e.id)).toEqual(['new', 'later', 'x'])
    clock.advance(HOUR)
    await engine.emit({ type: 'a', id: 'y' })
    await engine.idle()
    expect((await store.listEvents('a', 0)).map((e) => e.id)).toEqual(['x', 'y'])
  })

  it('a sweep that failed is tried again at the next emit, not an hour later', async () => {
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    // The sweep a day after the start fails (not the one of coming to lead).
    const start = Date.UTC(2026, 0, 1)
    const inner = memoryStore()
    const sweeps = vi.spyOn(inner, 'deleteEvents')
    const store = faultyStore(inner, { method: 'deleteEvents', when: (before) => before > start })
    const clock = simulatedClock(start)
    const { engine } = testEngine({ store, clock })
    await until(() => sweeps.mock.calls.length === 1)
    await engine.emit({ type: 'a', id: 'old' })
    clock.advance(24 * HOUR + 1)
    await engine.emit({ type: 'a', id: 'mid' })
    await until(() => reported.length === 1)
    expect(reported[0]).toMatchObject({ code: 'STORAGE_FAILED' })
    clock.advance(10 * 60 * 1000)
    await engine.emit({ type: 'a', id: 'new' })
    await engine.idle()
    expect((await store.listEvents('a', 0)).map((e) => e.id)).toEqual(['mid', 'new'])
  })
})
