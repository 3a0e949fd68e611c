import { firstValueFrom, toArray } from 'rxjs'
import type { Alert, Health, Progress } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'

describe('progress$, health$ and alerts$', () => {
  it('progress$ emits the current value first, follows the run, and completes at its end', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' }, b: { action: 'slow', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await engine.idle()
    const seen: Progress[] = []
    const all = firstValueFrom(engine.progress$(run.runId).pipe(toArray()))
    engine.progress$(run.runId).subscribe((p) => seen.push(p))
    await engine.idle()
    expect(seen[0]).toMatchObject({ runId: run.runId, status: 'running', completed: 0, total: 2, percent: 0 })
    expect(seen[0]!.running.map((r) => r.id)).toEqual(['a'])
    slow.calls[0]!.resolve(1)
    await engine.idle()
    expect(seen.at(-1)).toMatchObject({ completed: 1, percent: 50 })
    slow.calls[1]!.resolve(2)
    const emitted = await all
    expect(emitted.at(-1)).toMatchObject({ status: 'completed', completed: 2, percent: 100 })
    const completedCounts = emitted.map((p) => p.completed)
    expect(completedCounts).toEqual([...completedCounts].sort())
  })

  it('progress$ of a finished run emits its final value and completes', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const run = await engine.start('wf')
    await engine.wait(run.runId)
    const values = await firstValueFrom(engine.progress$(run.runId).pipe(toArray()))
    expect(values).toHaveLength(1)
    expect(values[0]).toMatchObject({ status: 'completed', percent: 100 })
  })

  it('progress$ of an unknown run errors with NOT_FOUND', async () => {
    const { engine } = testEngine()
    await expect(firstValueFrom(engine.progress$('nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('health$ reflects failed attempts; alerts$ fires when the level worsens', async () => {
    let calls = 0
    const { engine, clock } = testEngine({
      actions: {
        flaky: () => {
          calls++
          if (calls < 4) throw new Error('no')
          return 'ok'
        },
      },
    })
    const alerts: Alert[] = []
    engine.alerts$.subscribe((a) => alerts.push(a))
    await engine.register(
      def(
        { a: { action: 'flaky', retry: { maxAttempts: 4, initialDelayMs: 10, backoff: 1 } } },
        { expectedDurationMs: 100 },
      ),
    )
    const run = await engine.start('wf')
    const healths: Health[] = []
    engine.health$(run.runId).subscribe((h) => healths.push(h))
    for (let i = 0; i < 3; i++) {
      await engine.idle()
      clock.advance(10)
    }
    const view = await engine.wait(run.runId)
    expect(view.health.parts.errors).toBe(25)
    expect(healths[0]).toMatchObject({ runId: run.runId })
    expect(healths.at(-1)!.parts.errors).toBe(25)
    const engineHealth = await firstValueFrom(engine.health$())
    expect(engineHealth.runId).toBeUndefined()
    expect(engineHealth.score).toBeLessThan(100)
    expect(alerts.length).toBeGreaterThan(0)
    expect(alerts[0]).toMatchObject({ previous: 'healthy' })
    expect(['warning', 'critical']).toContain(alerts[0]!.level)
  })
  it('health$(runId) follows the run task by task and agrees with getRun at every step', async () => {
    const gate = controllable()
    let failures = 1
    const { engine, clock } = testEngine({
      actions: {
        gate: gate.handler,
        flaky: () => {
          if (failures-- > 0) throw new Error('once')
          return 'ok'
        },
      },
    })
    await engine.register(
      def(
        {
          a: { action: 'gate' },
          b: { action: 'gate' },
          c: { action: 'flaky', dependsOn: ['a'], retry: { maxAttempts: 2, initialDelayMs: 50, backoff: 1 } },
          d: { action: 'gate', dependsOn: ['c', 'b'] },
        },
        { concurrency: 1, expectedDurationMs: 400 },
      ),
    )
    const run = await engine.start('wf')
    const values: Health[] = []
    engine.health$(run.runId).subscribe((h) => values.push(h))
    await engine.idle()
    const agrees = async () => {
      await engine.idle()
      expect(values.at(-1)).toEqual((await engine.getRun(run.runId))!.health)
    }
    clock.advance(30)
    gate.calls[0]!.resolve('a')
    await agrees()
    clock.advance(20)
    await engine.pause(run.runId)
    await agrees()
    clock.advance(500)
    await engine.resume(run.runId)
    await agrees()
    clock.advance(60)
    // `c` fails once, waits out its back-off (a timer fires), then completes and `d` starts.
    gate.calls[1]!.resolve('b')
    await agrees()
    clock.advance(50)
    await agrees()
    clock.advance(10)
    gate.calls[2]!.resolve('d')
    await engine.wait(run.runId)
    await agrees()
    expect(values.length).toBeGreaterThan(4)
  })
})
