import { ArgumentError, createEngine, TaskError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

const testEngine = testEngines()

/** Starts `n` runs of the registered definition `wf`, one after the other. */
async function startRuns(engine: ReturnType<typeof testEngine>['engine'], n: number) {
  const runs: string[] = []
  for (let i = 0; i < n; i++) runs.push((await engine.start('wf')).runId)
  return runs
}

describe('limits per action', () => {
  it('runs at most `concurrency` attempts of the action across all runs; a waiting task stays pending and counts as queued', async () => {
    const work = controllable()
    const { engine, clock } = testEngine({
      actions: { work: work.handler },
      limits: { work: { concurrency: 2 } },
    })
    await engine.register(def({ a: { action: 'work' } }))
    const runs = await startRuns(engine, 3)
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual(runs.slice(0, 2))
    const third = (await engine.getRun(runs[2]!))!
    expect(third.tasks.a).toMatchObject({ status: 'pending', attempts: 0 })
    expect((await engine.history(runs[2]!)).map((e) => e.type)).not.toContain('task.started')

    clock.advance(1_000)
    expect((await engine.getRun(runs[2]!))!.health.parts.efficiency).toBe(0)
    expect((await engine.getRun(runs[0]!))!.health.parts.efficiency).toBe(100)
    work.calls[0]!.resolve('one')
    await engine.idle()
    expect(work.calls.map((c) => c.ctx.runId)).toEqual(runs)
    const started = (await engine.history(runs[2]!)).find((e) => e.type === 'task.started')!
    expect(started.at).toBe(clock.now())
    clock.advance(1_000)
    work.calls[1]!.resolve('two')
    work.calls[2]!.resolve('three')
    const done = await engine.wait(runs[2]!)
    expect(done.status).toBe('completed')
    // 1 s queued, 1 s running.
    expect(done.health.parts.efficiency).toBe(50)
  })

  it('starts at most `perSecond` attempts in any second of the engine clock', async () => {
    const started: number[] = []
    const { engine, clock } = testEngine({
      actions: { ping: () => started.push(clock.now()) },
      limits: { ping: { perSecond: 2 } },
    })
    await engine.register(def({ a: { action: 'ping' } }))
    const runs = await startRuns(engine, 5)
    await engine.idle()
    expect(started).toHaveLength(2)
    clock.advance(999)
    await engine.idle()
    expect(started).toHaveLength(2)
    clock.advance(1)
    await engine.idle()
    expect(started).toHaveLength(4)
    clock.advance(1_000)
    for (const runId of runs) expect((await engine.wait(runId)).status).toBe('completed')
    const t0 = started[0]!
    expect(started.map((t) => t - t0)).toEqual([0, 0, 1_000, 1_000, 2_000])
  })

  it('serves waiting attempts first come, first served across runs', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 1 } } })
    await engine.register(def({ a: { action: 'work' }, b: { action: 'work', dependsOn: ['a'] } }))
    const [r1, r2] = await startRuns(engine, 2)
    await engine.idle()
    work.calls[0]!.resolve()
    await engine.idle()
    // r2's first task asked before r1's second one.
    expect(work.calls.map((c) => `${c.ctx.runId === r1 ? 'r1' : 'r2'}.${c.ctx.taskId}`)).toEqual([
      'r1.a',
      'r2.a',
    ])
    work.calls[1]!.resolve()
    await engine.idle()
    work.calls[2]!.resolve()
    await engine.idle()
    work.calls[3]!.resolve()
    expect((await engine.wait(r1!)).status).toBe('completed')
    expect((await engine.wait(r2!)).status).toBe('completed')
  })

  it('gives each forEach item a slot', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 2 } } })
    await engine.register(
      def({ a: { action: 'work', forEach: '[1, 2, 3]', concurrency: 4, params: { n: '${ item }' } } }),
    )
    const [r1, r2] = await startRuns(engine, 2)
    await engine.idle()
    expect(work.calls.map((c) => [c.ctx.runId, c.params.n])).toEqual([
      [r1, 1],
      [r1, 2],
    ])
    work.calls[0]!.resolve(10)
    await engine.idle()
    expect(work.calls.map((c) => [c.ctx.runId, c.params.n])[2]).toEqual([r1, 3])
    for (let i = 1; i < 6; i++) {
      await engine.idle()
      work.calls[i]!.resolve(i)
    }
    expect((await engine.wait(r1!)).status).toBe('completed')
    expect((await engine.wait(r2!)).status).toBe('completed')
    expect(work.calls).toHaveLength(6)
  })

  it('a built-in that returns a wait gives its slot back while it waits', async () => {
    const { engine, clock } = testEngine({ limits: { delay: { concurrency: 1 } } })
    await engine.register(def({ a: { action: 'delay', params: { ms: 5_000 } } }))
    const runs = await startRuns(engine, 3)
    await engine.idle()
    for (const runId of runs) expect((await engine.getRun(runId))!.tasks.a!.status).toBe('waiting')
    clock.advance(5_000)
    for (const runId of runs) expect((await engine.wait(runId)).status).toBe('completed')
  })

  it('a retry in back-off holds no slot', async () => {
    const work = controllable()
    let failed = false
    const { engine, clock } = testEngine({
      actions: {
        flaky: () => {
          if (failed) return 'ok'
          failed = true
          throw new TaskError('HTTP_ERROR', 'busy')
        },
        work: work.handler,
      },
      limits: { flaky: { concurrency: 1 } },
    })
    await engine.register(def({ a: { action: 'flaky', retry: { maxAttempts: 2, initialDelayMs: 1_000 } } }))
    const [r1, r2] = await startRuns(engine, 2)
    await engine.idle()
    expect((await engine.getRun(r1!))!.tasks.a!.status).toBe('retrying')
    // r2 took the slot while r1 backs off.
    expect((await engine.wait(r2!)).tasks.a).toMatchObject({ status: 'completed', attempts: 1 })
    clock.advance(1_000)
    expect((await engine.wait(r1!)).tasks.a).toMatchObject({ status: 'completed', attempts: 2 })
  })

  it('an action that throws synchronously, or times out, gives its slot back', async () => {
    const hang = controllable()
    const { engine, clock } = testEngine({
      actions: {
        boom: () => {
          throw new Error('boom')
        },
        hang: hang.handler,
      },
      limits: { boom: { concurrency: 1 }, hang: { concurrency: 1 } },
    })
    await engine.register(def({ a: { action: 'boom' } }))
    await engine.register(def({ a: { action: 'hang', timeoutMs: 1_000 } }, { id: 'slow' }))
    const booms = await startRuns(engine, 3)
    for (const runId of booms) expect((await engine.wait(runId)).status).toBe('failed')
    const s1 = (await engine.start('slow')).runId
    const s2 = (await engine.start('slow')).runId
    await engine.idle()
    expect(hang.calls).toHaveLength(1)
    clock.advance(1_000)
    expect((await engine.wait(s1)).tasks.a!.error!.code).toBe('TIMEOUT')
    await engine.idle()
    // The first action ignored its abort and never settles: its slot went back all the same.
    expect(hang.calls.map((c) => c.ctx.runId)).toEqual([s1, s2])
    hang.calls[1]!.resolve('late')
    expect((await engine.wait(s2)).status).toBe('completed')
  })

  it('costs nothing to actions it does not limit', async () => {
    const work = controllable()
    const { engine } = testEngine({
      actions: { work: work.handler, free: () => 'free' },
      limits: { work: { concurrency: 1 } },
    })
    await engine.register(def({ a: { action: 'work' }, b: { action: 'free' } }))
    const runs = await startRuns(engine, 3)
    await engine.idle()
    for (const runId of runs) expect((await engine.getRun(runId))!.tasks.b!.status).toBe('completed')
    expect(work.calls).toHaveLength(1)
    for (const call of work.calls) call.resolve()
    await engine.idle()
    for (const call of work.calls.slice(1)) call.resolve()
    await engine.idle()
    work.calls[2]?.resolve()
    for (const runId of runs) expect((await engine.wait(runId)).status).toBe('completed')
  })

  it('a compensation of a limited action waits for a slot like any attempt, and gives it back', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler }, limits: { work: { concurrency: 1 } } })
    await engine.register(def({ a: { action: 'work' } }))
    await engine.register({ ...def({ c: { action: 'noop', compensate: { action: 'work' } } }), id: 'undo' })
    const r1 = (await engine.start('wf')).runId
    await engine.idle()
    const r2 = (await engine.start('undo')).runId
    expect((await engine.wait(r2)).status).toBe('completed')
    const rolled = engine.rollback(r2, `${r2}:0`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(work.calls.map((c) => c.ctx.runId)).toEqual([r1])
    work.calls[0]!.resolve()
    await until(() => work.calls.length === 2)
    expect(work.calls[1]!.ctx.runId).toBe(r2)
    // The compensation holds the slot: a new run waits for it.
    const r3 = (await engine.start('wf')).runId
    await engine.idle()
    expect(work.calls).toHaveLength(2)
    work.calls[1]!.resolve()
    await rolled
    await until(() => work.calls.length === 3)
    expect(work.calls[2]!.ctx.runId).toBe(r3)
    work.calls[2]!.resolve()
    expect((await engine.wait(r3)).status).toBe('completed')
  })
})

describe('limits: checked at createEngine', () => {
  it('refuses every bad key and value at once, with an ArgumentError', () => {
    const make = (limits: unknown) => () =>
      createEngine({ actions: { work: () => 1 }, limits: limits as never })
    let error: unknown
    try {
      make({
        wrok: { concurrency: 1 },
        work: { concurrency: 0 },
        noop: { perSecond: 1.5 },
        delay: {},
        transform: { concurrency: 1, burst: 2 },
        'agent_task:writer': { concurrency: 1 },
      })()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ArgumentError)
    const message = (error as ArgumentError).message
    expect((error as ArgumentError).code).toBe('INVALID_ARGUMENT')
    for (const part of [
      'limits["wrok"] names no action of the engine',
      'limits["work"] "concurrency" must be a whole number ≥ 1, got 0',
      'limits["noop"] "perSecond" must be a whole number ≥ 1, got 1.5',
      'limits["delay"] limits nothing',
      'limits["transform"] has unknown field(s) "burst"',
      'limits["agent_task:writer"] limits an agent of "agent_task", but the engine has no "agent_task" action',
    ])
      expect(message).toContain(part)
    expect(make([])).toThrow(ArgumentError)
    expect(make({ work: 3 })).toThrow(/must be an object \{ concurrency\?, perSecond\? \}/)
  })

  it('takes limits on its own actions, built-ins and agents of agent_task', async () => {
    const { engine } = testEngine({
      actions: { work: () => 1, agent_task: () => 2 },
      limits: {
        work: { concurrency: 1 },
        delay: { perSecond: 5 },
        'agent_task:writer': { concurrency: 1, perSecond: 1 },
      },
    })
    await engine.register(def({ a: { action: 'work' } }))
    const run = await engine.start('wf')
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })
})
