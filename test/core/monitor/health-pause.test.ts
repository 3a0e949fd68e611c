import type { Alert, Health } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../../support/engine-fixtures'

/*
 * Health through the engine across pauses and cancels: paused time is left out of every part, a
 * pause the user asked for neither lowers the score nor raises an alert, and a cancelled run
 * keeps the score it had.
 *
 * The run: one slot, two tasks. While `a` runs, `b` is ready and waits for the slot (queue
 * time, which lowers efficiency); the run is expected to take 100 ms, so after 220 ms its time
 * part is 40 and the score sits just above `warning`.
 */
async function halfWayRun() {
  const gate = controllable()
  const { engine, clock } = testEngine({ actions: { gate: gate.handler } })
  await engine.register(
    def({ a: { action: 'gate' }, b: { action: 'gate' } }, { concurrency: 1, expectedDurationMs: 100 }),
  )
  const alerts: Alert[] = []
  engine.alerts$.subscribe((alert) => alerts.push(alert))
  const { runId } = await engine.start('wf')
  await engine.idle()
  clock.advance(220)
  const health = async (): Promise<Health> => (await engine.getRun(runId))!.health
  return { engine, clock, gate, runId, alerts, health }
}

describe('health across pauses and cancels', () => {
  it('a pause the user asked for lowers no part, raises no alert, and resuming goes on from the same score', async () => {
    const { engine, clock, gate, runId, alerts, health } = await halfWayRun()
    const before = await health()
    expect(before).toMatchObject({ level: 'healthy', parts: { time: 40, efficiency: 50 } })

    await engine.pause(runId)
    clock.advance(50)
    // `a`, in flight at the pause, ends during it; `b` stays ready and unstarted for ten minutes.
    gate.calls[0]!.resolve('a')
    await engine.idle()
    const paused = await health()
    expect(paused.score).toBeGreaterThanOrEqual(before.score)
    expect(paused.level).toBe('healthy')
    clock.advance(600_000)
    expect(await health()).toEqual(paused)

    await engine.resume(runId)
    await engine.idle()
    expect(gate.calls).toHaveLength(2)
    expect(await health()).toEqual(paused)
    gate.calls[1]!.resolve('b')
    await engine.wait(runId)
    expect(alerts).toEqual([])
  })

  it('a run cancelled during a pause keeps the score it had, then and later', async () => {
    const { engine, clock, gate, runId, health } = await halfWayRun()
    await engine.pause(runId)
    clock.advance(50)
    gate.calls[0]!.resolve('a')
    await engine.idle()
    clock.advance(1000)
    const had = await health()
    await engine.cancel(runId)
    expect(await health()).toEqual(had)
    clock.advance(3_600_000)
    expect(await health()).toEqual(had)
  })

  it('a running run cancelled with a task waiting for a slot keeps the score it had', async () => {
    const { engine, clock, runId, health } = await halfWayRun()
    const had = await health()
    await engine.cancel(runId)
    await engine.idle()
    expect(await health()).toEqual(had)
    clock.advance(3_600_000)
    expect(await health()).toEqual(had)
  })
})
