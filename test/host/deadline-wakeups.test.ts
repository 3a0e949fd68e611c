import fc from 'fast-check'
import { memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DeadlineHeap } from '../../src/host/deadline-heap'
import { DeadlineWakeups } from '../../src/host/deadline-wakeups'
import { EngineScope } from '../../src/host/engine-scope'
import { faultyStore } from '../store/faulty-store'
import { runRecord } from '../store/store-fixtures'
import { brokenClock } from '../support/broken-clock'

const START = Date.UTC(2026, 0, 1)

function wakeups(store = memoryStore()) {
  const clock = simulatedClock(START)
  const scope = new EngineScope()
  const woken: string[] = []
  const service = new DeadlineWakeups({
    store,
    clock,
    scope,
    wake: async (runId) => {
      woken.push(runId)
    },
    leading: () => {},
  })
  const term = new AbortController()
  return { service, clock, scope, woken, term, store, lead: () => service.start(term.signal) }
}

describe('DeadlineHeap', () => {
  it('takes wakeups earliest first, runs due together by runId', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ runId: fc.string({ maxLength: 3 }), wakeAt: fc.integer({ min: 0, max: 50 }) })),
        (items) => {
          const heap = new DeadlineHeap()
          for (const item of items) heap.add(item)
          const taken = []
          while (heap.size > 0) taken.push(heap.take()!)
          const sorted = [...items].sort(
            (a, b) => a.wakeAt - b.wakeAt || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0),
          )
          expect(taken).toEqual(sorted)
        },
      ),
    )
  })
})

describe('DeadlineWakeups', () => {
  it('wakes each run once at its latest time, with one clock timer for all', async () => {
    const { service, clock, woken, lead } = wakeups()
    lead()
    service.passivated('a', START + 3_000)
    service.passivated('b', START + 1_000)
    service.passivated('b', START + 1_000)
    service.passivated('c', START + 1_000)
    service.passivated('c', START + 2_000)
    service.passivated('forever', Number.POSITIVE_INFINITY)
    expect(service.size).toBe(4)
    expect(clock.pending).toBe(1)

    clock.advance(1_000)
    expect(woken).toEqual(['b'])
    clock.advance(1_000)
    expect(woken).toEqual(['b', 'c'])
    clock.advance(10_000)
    expect(woken).toEqual(['b', 'c', 'a'])
    expect(clock.pending).toBe(0)
  })

  it('holds nothing while the engine does not lead, and stops when its term ends', () => {
    const { service, clock, woken, term, lead } = wakeups()
    service.passivated('early', START + 1_000)
    expect(service.size).toBe(0)
    lead()
    service.passivated('a', START + 1_000)
    term.abort()
    expect(clock.pending).toBe(0)
    service.passivated('b', START + 1_000)
    clock.advance(5_000)
    expect(woken).toEqual([])
  })

  it('loads the stored passive runs once the engine recovered; an overdue one wakes at once', async () => {
    const store = memoryStore()
    await store.createRun(runRecord('overdue', { wakeAt: START - 1 }))
    await store.createRun(runRecord('later', { wakeAt: START + 1_000 }))
    await store.createRun(runRecord('on-a-call', { wakeAt: Number.POSITIVE_INFINITY }))
    const { service, clock, woken, lead } = wakeups(store)
    lead()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(woken).toEqual([])
    service.recovered()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(woken).toEqual(['overdue'])
    clock.advance(1_000)
    expect(woken).toEqual(['overdue', 'later'])
  })

  it('wakes nothing once the engine is closing', async () => {
    const { service, clock, woken, scope, lead } = wakeups()
    lead()
    service.passivated('a', START + 1_000)
    await scope.close()
    clock.advance(1_000)
    expect(woken).toEqual([])
  })
  describe('when the store cannot list the passive runs', () => {
    afterEach(() => {
      vi.restoreAllMocks()
    })

    it('reports the failure while leading, and loads them again on the next recover()', async () => {
      const reported: unknown[] = []
      vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
      const store = faultyStore(memoryStore(), { method: 'listWakeups' })
      await store.createRun(runRecord('due', { wakeAt: START }))
      const { service, woken, lead } = wakeups(store)
      lead()
      service.recovered()
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(reported).toEqual([expect.objectContaining({ code: 'STORAGE_FAILED' })])
      expect(woken).toEqual([])
      service.recovered()
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(woken).toEqual(['due'])
    })

    it('reports nothing when the term ended meanwhile (the engine closed)', async () => {
      const reported: unknown[] = []
      vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
      const { service, term, lead } = wakeups(faultyStore(memoryStore(), { method: 'listWakeups' }))
      lead()
      service.recovered()
      term.abort()
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(reported).toEqual([])
    })
  })

  describe('when the clock cannot arm a timer', () => {
    afterEach(() => {
      vi.restoreAllMocks()
    })

    it('reports the failure instead of throwing into the passivation that called it', async () => {
      const reported: unknown[] = []
      vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
      const clock = simulatedClock(START)
      const broken = new Error('no timers here')
      const term = new AbortController()
      const service = new DeadlineWakeups({
        store: memoryStore(),
        clock: brokenClock(clock, broken),
        scope: new EngineScope(),
        wake: async () => {},
        leading: () => {},
      })
      service.start(term.signal)
      expect(() => service.passivated('a', START + 1_000)).not.toThrow()
      expect(reported).toEqual([broken])
    })
  })
})
