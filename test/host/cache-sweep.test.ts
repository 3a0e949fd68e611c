import { memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CacheSweep } from '../../src/host/cache-sweep'
import { EngineScope } from '../../src/host/engine-scope'
import { brokenClock } from '../support/broken-clock'

const START = Date.UTC(2026, 0, 1)

describe('CacheSweep', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('reports a timer the clock cannot arm for the next expiry instead of rejecting the sweep', async () => {
    const reported: unknown[] = []
    vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    const clock = simulatedClock(START)
    const broken = new Error('no timers here')
    const store = memoryStore()
    await store.putCacheEntry({
      key: 'k1',
      expiresAt: START + 60_000,
      action: 'fetch-price',
      definitionId: 'prices',
      runId: 'run-1',
      taskId: 'price',
      output: 42,
      createdAt: START,
      bytes: 100,
      lastUsedAt: START,
    })
    const sweep = new CacheSweep({
      store,
      scope: new EngineScope(),
      maxBytes: 1_000,
      clock: brokenClock(clock, broken),
    })
    sweep.start(new AbortController().signal)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(reported).toEqual([broken])
    expect(await store.getCacheEntry('k1')).toMatchObject({ key: 'k1' })
  })
})
