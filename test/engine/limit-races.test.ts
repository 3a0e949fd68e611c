import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

const testEngine = testEngines()

/** Two runs of `wf` whose task `a` takes the one slot of `work`: the first holds it, the others wait. */
async function queuedRuns(n: number, extra: Record<string, unknown> = {}) {
  const work = controllable()
  const made = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 1 } }, ...extra })
  await made.engine.register(def({ a: { action: 'work' } }))
  const runs: string[] = []
  for (let i = 0; i < n; i++) runs.push((await made.engine.start('wf')).runId)
  await made.engine.idle()
  expect(work.calls.map((c) => c.ctx.runId)).toEqual(runs.slice(0, 1))
  return { ...made, work, runs }
}

describe('limits: interleavings', () => {
  it('a run cancelled while its task waits for a slot leaves the queue; the next waiter gets the slot', async () => {
    const { engine, work, runs } = await queuedRuns(3)
    await engine.cancel(runs[1]!)
    work.calls[0]!.resolve()
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([runs[0], runs[2]])
    work.calls[1]!.resolve()
    expect((await engine.wait(runs[2]!)).status).toBe('completed')
    expect((await engine.getRun(runs[1]!))!.tasks.a!.status).toBe('cancelled')
  })

  it('a task skipped while it waits leaves the queue; one skipped while it runs gives its slot back at once', async () => {
    const { engine, work, runs } = await queuedRuns(3)
    await engine.skipTask(runs[1]!, 'a')
    expect((await engine.wait(runs[1]!)).tasks.a!.status).toBe('skipped')
    // The holder's action never settles: skipping it frees the slot for the next waiter.
    await engine.skipTask(runs[0]!, 'a')
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([runs[0], runs[2]])
    work.calls[1]!.resolve()
    expect((await engine.wait(runs[2]!)).status).toBe('completed')
  })

  it('a run paused while its task waits gives its turn to the next waiter, and queues again on resume', async () => {
    const { engine, work, runs } = await queuedRuns(3)
    await engine.pause(runs[1]!)
    work.calls[0]!.resolve()
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([runs[0], runs[2]])
    expect((await engine.getRun(runs[1]!))!.tasks.a!.status).toBe('pending')
    await engine.resume(runs[1]!)
    await engine.idle()
    expect(work.calls).toHaveLength(2)
    work.calls[1]!.resolve()
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([runs[0], runs[2], runs[1]])
    work.calls[2]!.resolve()
    expect((await engine.wait(runs[1]!)).status).toBe('completed')
  })

  it('nothing starts after close() resolves, though attempts waited for slots', async () => {
    const { engine, work, runs, clock } = await queuedRuns(3)
    await engine.close()
    work.calls[0]!.resolve()
    clock.advance(60_000)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(work.calls.map((c) => c.ctx.runId)).toEqual(runs.slice(0, 1))
  })

  it('a restored run whose task waited for a slot queues again; a journal written under limits replays without them', async () => {
    const store = memoryStore()
    const work = controllable()
    const side = controllable()
    const first = testEngine({
      store,
      actions: { work: work.handler, side: side.handler },
      limits: { work: { concurrency: 1 } },
    })
    await first.engine.register(def({ a: { action: 'work' }, b: { action: 'side' } }))
    const r1 = (await first.engine.start('wf')).runId
    const r2 = (await first.engine.start('wf')).runId
    await first.engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([r1])
    // r2's `b` completes while its `a` waits for the slot.
    side.calls.find((c) => c.ctx.runId === r2)!.resolve('b done')
    await first.engine.idle()
    await first.engine.close()

    const later = controllable()
    const second = testEngine({ store, actions: { work: later.handler, side: () => 'again' }, recover: true })
    await second.engine.idle()
    await new Promise((resolve) => setTimeout(resolve, 10))
    await second.engine.idle()
    const view = (await second.engine.getRun(r2))!
    expect(view.tasks.b).toMatchObject({ status: 'completed', output: 'b done', attempts: 1 })
    expect(later.calls.map((c) => c.ctx.runId).sort()).toEqual([r1, r2].sort())
    for (const call of later.calls) call.resolve('a done')
    expect((await second.engine.wait(r2)).output).toEqual({ a: 'a done', b: 'b done' })
  })

  it('runs that leave memory while they sleep take their slots in turn once they wake', async () => {
    const store = memoryStore()
    const work = controllable()
    const { engine, clock } = testEngine({
      store,
      recover: true,
      actions: { work: work.handler },
      limits: { work: { concurrency: 1 } },
    })
    await engine.register(
      def({ sleep: { action: 'delay', params: { ms: 1_000 } }, a: { action: 'work', dependsOn: ['sleep'] } }),
    )
    const r1 = (await engine.start('wf')).runId
    const r2 = (await engine.start('wf')).runId
    await until(
      async () =>
        (await store.getRun(r1))?.wakeAt !== undefined && (await store.getRun(r2))?.wakeAt !== undefined,
    )
    clock.advance(1_000)
    await until(() => work.calls.length === 1)
    await engine.idle()
    expect(work.calls).toHaveLength(1)
    const [firstRun, secondRun] = work.calls[0]!.ctx.runId === r1 ? [r1, r2] : [r2, r1]
    expect((await engine.getRun(secondRun))!.tasks.a!.status).toBe('pending')
    work.calls[0]!.resolve()
    await until(() => work.calls.length === 2)
    work.calls[1]!.resolve()
    expect((await engine.wait(firstRun)).status).toBe('completed')
    expect((await engine.wait(secondRun)).status).toBe('completed')
  })

  it('forEach items waiting for slots stop waiting when their run is cancelled; the other run gets the slots', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 2 } } })
    await engine.register(def({ a: { action: 'work', forEach: '[1, 2, 3]', concurrency: 3 } }))
    const r1 = (await engine.start('wf')).runId
    const r2 = (await engine.start('wf')).runId
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([r1, r1])
    await engine.cancel(r1)
    await engine.idle()
    // r1's two items were given up on, its third never started: r2 has both slots.
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([r1, r1, r2, r2])
    work.calls[2]!.resolve()
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([r1, r1, r2, r2, r2])
    work.calls[3]!.resolve()
    work.calls[4]!.resolve()
    expect((await engine.wait(r2)).status).toBe('completed')
  })

  it('forEach: an item waiting for a slot does not start while its run is paused, and starts on resume', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 1 } } })
    await engine.register(def({ a: { action: 'work', forEach: '[1, 2]', concurrency: 2 } }))
    const r1 = (await engine.start('wf')).runId
    await engine.idle()
    expect(work.calls).toHaveLength(1)
    await engine.pause(r1)
    work.calls[0]!.resolve('one')
    await engine.idle()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await engine.getRun(r1))!.status).toBe('paused')
    expect(work.calls).toHaveLength(1)
    await engine.resume(r1)
    await until(() => work.calls.length === 2)
    work.calls[1]!.resolve('two')
    const done = await engine.wait(r1)
    expect(done.status).toBe('completed')
    expect(done.tasks.a!.output).toEqual(['one', 'two'])
  })

  it('perSecond: a run cancelled while its task waits does not use up the next second', async () => {
    const started: string[] = []
    const { engine, clock } = testEngine({
      actions: { ping: (_p: unknown, ctx: { runId: string }) => started.push(ctx.runId) },
      limits: { ping: { perSecond: 1 } },
    })
    await engine.register(def({ a: { action: 'ping' } }))
    const r1 = (await engine.start('wf')).runId
    const r2 = (await engine.start('wf')).runId
    const r3 = (await engine.start('wf')).runId
    await engine.idle()
    expect(started).toEqual([r1])
    await engine.cancel(r2)
    clock.advance(1_000)
    await engine.idle()
    expect(started).toEqual([r1, r3])
  })

  it('perSecond: a run that fails while its task waits leaves the queue and uses up no start', async () => {
    const started: string[] = []
    const boom = controllable()
    const { engine, clock } = testEngine({
      actions: { ping: (_p: unknown, ctx: { runId: string }) => started.push(ctx.runId), boom: boom.handler },
      limits: { ping: { perSecond: 1 } },
    })
    await engine.register(def({ a: { action: 'ping' } }))
    await engine.register(
      def({ a: { action: 'ping' }, b: { action: 'boom', onError: 'fail' } }, { id: 'failing' }),
    )
    const r1 = (await engine.start('wf')).runId
    const r2 = (await engine.start('failing')).runId
    const r3 = (await engine.start('wf')).runId
    await engine.idle()
    expect(started).toEqual([r1])
    expect(boom.calls).toHaveLength(1)
    boom.calls[0]!.reject(new Error('boom'))
    expect((await engine.wait(r2)).status).toBe('failed')
    clock.advance(1_000)
    await engine.idle()
    expect(started).toEqual([r1, r3])
  })

  it('perSecond: a run that times out while its task waits leaves the queue and uses up no start', async () => {
    const started: string[] = []
    const { engine, clock } = testEngine({
      actions: { ping: (_p: unknown, ctx: { runId: string }) => started.push(ctx.runId) },
      limits: { ping: { perSecond: 1 } },
    })
    await engine.register(def({ a: { action: 'ping' } }))
    const r1 = (await engine.start('wf')).runId
    const r2 = (await engine.start('wf', {}, { timeoutMs: 500 })).runId
    const r3 = (await engine.start('wf')).runId
    await engine.idle()
    clock.advance(500)
    expect((await engine.wait(r2)).status).toBe('failed')
    clock.advance(500)
    await engine.idle()
    expect(started).toEqual([r1, r3])
  })

  it('close() ends a rollback whose compensation waits for a slot another run holds; the compensation never starts', async () => {
    const work = controllable()
    const store = memoryStore()
    const { engine } = testEngine({
      store,
      actions: { work: work.handler },
      limits: { work: { concurrency: 1 } },
    })
    await engine.register(def({ a: { action: 'work' } }))
    await engine.register({ ...def({ c: { action: 'noop', compensate: { action: 'work' } } }), id: 'undo' })
    const r1 = (await engine.start('wf')).runId
    await engine.idle()
    const r2 = (await engine.start('undo')).runId
    expect((await engine.wait(r2)).status).toBe('completed')
    const rolled = engine.rollback(r2, `${r2}:0`)
    const outcome = rolled.then(
      () => 'rolled back',
      (error: { code?: string }) => error.code,
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    await engine.close()
    expect(await outcome).toBe('ENGINE_CLOSED')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([r1])
    // Nothing was rolled back: the run stays as stored, and another engine can roll it back.
    const next = testEngine({
      store,
      actions: { work: () => 'undone' },
      limits: { work: { concurrency: 1 } },
    })
    expect((await next.engine.getRun(r2))!.status).toBe('completed')
    await next.engine.rollback(r2, `${r2}:0`)
    expect((await next.engine.getRun(r2))!.status).toBe('paused')
  })

  it('a rollback of the run whose attempt holds the slot its compensation needs does not deadlock', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 1 } } })
    await engine.register(
      def({ c: { action: 'noop', compensate: { action: 'work' } }, a: { action: 'work', dependsOn: ['c'] } }),
    )
    const r1 = (await engine.start('wf')).runId
    await until(() => work.calls.length === 1)
    // The fence aborts `a`, whose slot goes to the compensation of `c`.
    const rolled = engine.rollback(r1, `${r1}:0`)
    await until(() => work.calls.length === 2)
    expect(work.calls[1]!.ctx.idempotencyKey).toBe(`${r1}:c:compensate`)
    work.calls[1]!.resolve()
    await rolled
    expect((await engine.getRun(r1))!.status).toBe('paused')
  })
})
