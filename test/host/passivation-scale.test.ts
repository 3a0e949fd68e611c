import { createEngine, simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { def } from '../support/engine-fixtures'

const RUNS = 10_000
const HOUR = 60 * 60 * 1000

/**
 * Chromium's `performance.memory` (absent elsewhere): the JS heap in use, garbage included. Tests
 * cannot force a collection, so this is the lowest of a few samples taken over idle seconds,
 * while the browser collects what it can: an upper bound of what is held.
 */
async function usedHeap(): Promise<number | undefined> {
  let lowest: number | undefined
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const used = (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize
    if (used !== undefined) lowest = Math.min(lowest ?? used, used)
  }
  return lowest
}

/** Bytes per run between two heap figures, when the platform gives them. */
function perRun(before: number | undefined, after: number | undefined): string {
  return before === undefined || after === undefined ? 'n/a' : `${Math.round((after - before) / RUNS)}`
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 6_000; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('condition not met in time')
}

describe('passivation at scale (IndexedDB)', () => {
  const temp = tempStores()

  it(`holds ${RUNS.toLocaleString('en')} sleeping runs with one timer in all`, {
    timeout: 600_000,
  }, async () => {
    const store = temp.open()
    const clock = simulatedClock()
    const engine = createEngine({ store, clock, recover: false })
    try {
      await engine.register(def({ sleep: { action: 'delay', params: { ms: '${ input.ms }' } } }))
      const before = await usedHeap()
      const started = performance.now()
      for (let i = 0; i < RUNS; i += 500) {
        const batch = Array.from({ length: Math.min(500, RUNS - i) }, (_, j) =>
          engine.start('wf', { ms: HOUR + (i + j) * 1_000 }),
        )
        await Promise.all(batch)
      }
      await engine.idle()
      await until(() => clock.pending === 1)
      const elapsed = performance.now() - started
      const after = await usedHeap()

      // One timer for the whole heap, none per run; every run is passive in the store's index.
      expect(clock.pending).toBe(1)
      const wakeups = await store.listWakeups()
      expect(wakeups).toHaveLength(RUNS)
      expect(wakeups[0]!.wakeAt).toBe(clock.now() + HOUR)
      console.log(
        `passive runs: ${RUNS}; started and passivated in ${Math.round(elapsed)} ms; JS heap before ${before} B, after ${after} B; ${perRun(before, after)} B per passive run; pending clock timers ${clock.pending}`,
      )

      // The earliest wakes at its time, and only it.
      clock.advance(HOUR)
      await engine.idle()
      expect((await engine.getRun(wakeups[0]!.runId))!.status).toBe('completed')
      expect((await engine.getRun(wakeups[1]!.runId))!.status).toBe('running')
      expect(clock.pending).toBe(1)
    } finally {
      await engine.close()
    }
  })
  // Slow (about 30 s) and only a figure: run with VITE_MEASURE_LIVE_RUNS=1 (bench/RESULTS.md).
  it.skipIf(!import.meta.env.VITE_MEASURE_LIVE_RUNS)(
    `for comparison: ${RUNS.toLocaleString('en')} runs kept in memory, each with a task in flight`,
    {
      timeout: 600_000,
    },
    async () => {
      const store = temp.open()
      const clock = simulatedClock()
      const engine = createEngine({
        store,
        clock,
        recover: false,
        actions: { hang: () => new Promise(() => {}) },
      })
      try {
        await engine.register(def({ work: { action: 'hang' } }))
        const before = await usedHeap()
        for (let i = 0; i < RUNS; i += 500)
          await Promise.all(Array.from({ length: Math.min(500, RUNS - i) }, () => engine.start('wf')))
        await engine.idle()
        const after = await usedHeap()
        expect((await store.listRuns({ status: ['running'] })).length).toBe(RUNS)
        console.log(
          `live runs: ${RUNS}; JS heap before ${before} B, after ${after} B; ${perRun(before, after)} B per live run`,
        )
      } finally {
        await engine.close()
      }
    },
  )
})
