import { createEngine, type Engine, memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { FIRST_SWEEP_MS, SWEEP_EVERY_MS } from '../../src/engine/retention-sweep'
import { until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)
const DAY = 24 * 60 * 60 * 1000
const quick = { schemaVersion: '2.0', id: 'quick', version: '1.0.0', tasks: { a: { action: 'noop' } } }

describe('retention applied by the leader in the background', () => {
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it('deletes expired runs in slices of 50, a second apart, and none before the first sweep', async () => {
    const clock = simulatedClock(START)
    const engine = createEngine({
      store: memoryStore(),
      clock,
      recover: false,
      retention: { completed: { maxAgeMs: DAY } },
    })
    engines.push(engine)
    await engine.register(quick)
    for (let i = 0; i < 120; i++) await engine.start('quick', {}, { runId: `r${i}` })
    await engine.idle()
    const count = async () => (await engine.storage()).stores.runs!.records
    expect(await count()).toBe(120)

    clock.advance(FIRST_SWEEP_MS)
    await engine.idle()
    // The first sweep found nothing old enough: the next one comes an hour later.
    expect(await count()).toBe(120)

    // A day later the runs are expired; the hourly sweep takes the first slice of 50.
    clock.advance(DAY)
    await until(
      async () => {
        if ((await count()) < 120) return true
        clock.advance(60_000)
        return false
      },
      2 * (SWEEP_EVERY_MS / 60_000),
    )
    expect(await count()).toBe(70)
    clock.advance(1_000)
    await until(async () => (await count()) === 20)
    clock.advance(1_000)
    await until(async () => (await count()) === 0)
  })
})
