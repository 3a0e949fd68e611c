import { ArgumentError, memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'

const types = (events: { type: string }[]) => events.map((e) => e.type)

describe('the run deadline (workflow timeoutMs)', () => {
  it('aborts in-flight tasks, journals workflow.timed-out and fails the run with TIMEOUT', async () => {
    const work = controllable()
    const { engine, clock } = testEngine({ actions: { work: work.handler } })
    await engine.register(
      def({ a: { action: 'work' }, b: { action: 'noop', dependsOn: ['a'] } }, { timeoutMs: 5000 }),
    )
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    clock.advance(4999)
    await engine.idle()
    expect((await engine.getRun('r1'))?.status).toBe('running')
    clock.advance(1)
    const view = await engine.wait('r1')
    expect(view.status).toBe('failed')
    expect(view.error).toMatchObject({ code: 'TIMEOUT' })
    expect(view.error?.message).toMatch(/5000 ms/)
    expect(view.tasks.a?.status).toBe('cancelled')
    expect(view.tasks.b?.status).toBe('cancelled')
    expect(work.calls[0]!.ctx.signal.aborted).toBe(true)
    const history = await engine.history('r1')
    expect(types(history).slice(-2)).toEqual(['workflow.timed-out', 'workflow.failed'])
    expect(history.at(-2)).toMatchObject({ deadline: clock.now(), timeoutMs: 5000 })
    // A late completion of the aborted attempt changes nothing.
    work.calls[0]!.resolve('late')
    await engine.idle()
    expect((await engine.history('r1')).length).toBe(history.length)
    expect(clock.pending).toBe(0)
  })

  it('takes start(…, { timeoutMs }) over the definition, and times out a paused run too', async () => {
    const work = controllable()
    const { engine, clock } = testEngine({ actions: { work: work.handler } })
    await engine.register(def({ a: { action: 'work' } }, { timeoutMs: 60_000 }))
    await engine.start('wf', {}, { runId: 'r1', timeoutMs: 1000 })
    await engine.idle()
    await engine.pause('r1')
    clock.advance(1000)
    expect((await engine.wait('r1')).error).toMatchObject({ code: 'TIMEOUT' })
  })

  it('lets a timed-out run be continued by hand (skipTask), without its deadline', async () => {
    const work = controllable()
    const { engine, clock } = testEngine({ actions: { work: work.handler } })
    await engine.register(
      def({ a: { action: 'work' }, b: { action: 'noop', dependsOn: ['a'] } }, { timeoutMs: 1000 }),
    )
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    clock.advance(1000)
    expect((await engine.wait('r1')).error).toMatchObject({ code: 'TIMEOUT' })
    await engine.skipTask('r1', 'a')
    const view = await engine.wait('r1')
    expect(view.status).toBe('completed')
    expect(types(await engine.history('r1')).filter((t) => t === 'workflow.timed-out')).toHaveLength(1)
  })

  it('clears its timer when the run ends first', async () => {
    const { engine, clock } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }, { timeoutMs: 1000 }))
    await engine.start('wf', {}, { runId: 'r1' })
    expect((await engine.wait('r1')).status).toBe('completed')
    expect(clock.pending).toBe(0)
    clock.advance(2000)
    await engine.idle()
    expect(types(await engine.history('r1'))).not.toContain('workflow.timed-out')
  })

  it('is durable: re-armed on recovery, and fires at once when it passed while no engine ran', async () => {
    const store = memoryStore()
    const work = controllable()
    const first = testEngine({ store, actions: { work: work.handler } })
    await first.engine.register(def({ a: { action: 'work' } }))
    await first.engine.start('wf', {}, { runId: 'early', timeoutMs: 1000 })
    await first.engine.start('wf', {}, { runId: 'late', timeoutMs: 10_000 })
    await first.engine.idle()
    await first.engine.close()

    const second = testEngine({ store, actions: { work: work.handler }, recover: false })
    second.clock.advanceTo(first.clock.now() + 5000)
    await second.engine.recover()
    expect((await second.engine.wait('early')).error).toMatchObject({ code: 'TIMEOUT' })
    await second.engine.idle()
    expect((await second.engine.getRun('late'))?.status).toBe('running')
    second.clock.advance(5000)
    expect((await second.engine.wait('late')).error).toMatchObject({ code: 'TIMEOUT' })
    await second.engine.close()
  })

  it('refuses a bad timeoutMs, in the definition and at start, and stores nothing', async () => {
    const { engine } = testEngine()
    await expect(engine.register(def({ a: { action: 'noop' } }, { timeoutMs: -1 }))).rejects.toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [expect.objectContaining({ path: 'timeoutMs' })],
    })
    await engine.register(def({ a: { action: 'noop' } }))
    for (const timeoutMs of [0, -5, Number.NaN, '1000']) {
      const refused = engine.start('wf', {}, { runId: 'r1', timeoutMs } as never)
      await expect(refused).rejects.toBeInstanceOf(ArgumentError)
      await expect(refused).rejects.toThrow(/timeoutMs/)
    }
    expect((await engine.listRuns()).runs).toEqual([])
  })
})
