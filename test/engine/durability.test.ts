import { filter } from 'rxjs'
import { createEngine, type Engine, isRunEvent, simulatedClock, type WorkflowEvent } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

describe('durable runs in IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (name: string, options: Parameters<typeof createEngine>[0] = {}) => {
    const engine = createEngine({
      store: temp.open(name),
      clock: simulatedClock(START),
      random: () => 0.5,
      ...options,
    })
    engines.push(engine)
    return engine
  }

  it('resumes after close(): completed tasks are not re-run, the in-flight one runs again with the same key', async () => {
    const name = temp.open().name
    const runs: { task: string; key: string; attempt: number }[] = []
    const slow = controllable()
    const record = (task: string) => (_: unknown, ctx: { idempotencyKey: string; attempt: number }) => {
      runs.push({ task, key: ctx.idempotencyKey, attempt: ctx.attempt })
      return task
    }
    const first = open(name, { actions: { a: record('a'), b: slow.handler, c: record('c') } })
    await first.register(
      def({ a: { action: 'a' }, b: { action: 'b', dependsOn: ['a'] }, c: { action: 'c', dependsOn: ['b'] } }),
    )
    const run = await first.start('wf', {}, { runId: 'r1' })
    await until(() => slow.calls.length === 1)
    expect(slow.calls[0]!.ctx).toMatchObject({ attempt: 1, idempotencyKey: 'r1:b' })
    await first.close()
    expect(slow.calls[0]!.ctx.signal.aborted).toBe(true)

    // A new version is registered as the run resumes: it stays pinned to the one it started on.
    const second = open(name, {
      actions: {
        a: record('a'),
        b: (_: unknown, ctx: { idempotencyKey: string; attempt: number }) => {
          runs.push({ task: 'b', key: ctx.idempotencyKey, attempt: ctx.attempt })
          return 'b'
        },
        c: record('c'),
      },
    })
    await second.register({ ...def({ z: { action: 'noop' } }), version: '2.0.0' })
    const view = await second.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(view.version).toBe('1.0.0')
    expect(runs.filter((r) => r.task === 'a')).toHaveLength(1)
    expect(runs.find((r) => r.task === 'b')).toEqual({ task: 'b', key: 'r1:b', attempt: 2 })
    expect(view.tasks.a!.output).toBe('a')
    const history = await second.history(run.runId)
    expect(history.filter((e) => e.type === 'workflow.recovered')).toHaveLength(1)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })

  it('fires a deadline that passed while no engine ran at once, and re-arms a future one', async () => {
    const name = temp.open().name
    const first = open(name)
    await first.register(
      def({
        short: { action: 'delay', params: { ms: 60_000 } },
        long: { action: 'delay', params: { ms: 600_000 } },
      }),
    )
    const run = await first.start('wf')
    await first.idle()
    await first.close()

    const clock = simulatedClock(START + 120_000)
    const second = open(name, { clock })
    await until(async () => (await second.getRun(run.runId))?.tasks.short?.status === 'completed')
    expect((await second.getRun(run.runId))!.tasks.long!.status).toBe('waiting')
    clock.advance(600_000 - 120_000 - 1)
    await second.idle()
    expect((await second.getRun(run.runId))!.tasks.long!.status).toBe('waiting')
    clock.advance(1)
    expect((await second.wait(run.runId)).status).toBe('completed')
  })

  it('lets only one of two engines on a database execute a run; the other takes over when it closes', async () => {
    const name = temp.open().name
    const executions = new Map<string, number>()
    const slow = controllable()
    const count = (task: string) => () => {
      executions.set(task, (executions.get(task) ?? 0) + 1)
      return task
    }
    const actions = { a: count('a'), b: slow.handler, c: count('c') }
    const first = open(name, { actions })
    await first.register(
      def({ a: { action: 'a' }, b: { action: 'b', dependsOn: ['a'] }, c: { action: 'c', dependsOn: ['b'] } }),
    )
    const run = await first.start('wf')
    await until(() => slow.calls.length === 1)

    const second = open(name, { actions })
    const seenBySecond: WorkflowEvent[] = []
    second.events$.pipe(filter(isRunEvent)).subscribe((e) => seenBySecond.push(e))
    await second.idle()
    expect(await second.recover()).toEqual([])
    await expect(second.pause(run.runId)).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(slow.calls).toHaveLength(1)

    await first.close()
    await until(() => slow.calls.length === 2)
    slow.calls[1]!.resolve('b')
    const view = await second.wait(run.runId)
    expect(view.status).toBe('completed')
    expect(executions.get('a')).toBe(1)
    expect(executions.get('c')).toBe(1)
    expect(seenBySecond.some((e) => e.type === 'workflow.recovered')).toBe(true)
  })

  /** A run whose first task stays in flight, and the events the engine publishes from then on. */
  const runHeldOpen = async () => {
    const name = temp.open().name
    const slow = controllable()
    const engine = open(name, { actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await until(() => slow.calls.length === 1)
    const published: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => published.push(e))
    return { name, engine, slow, run, published }
  }

  it('refuses every write of a stale executor (fencing epoch)', async () => {
    const { name, engine, slow, run, published } = await runHeldOpen()
    // Another executor takes the run over (as after a stolen lock): a new epoch.
    const intruder = temp.open(name)
    await intruder.claimRun(run.runId, 'intruder')
    slow.calls[0]!.resolve('late')
    await engine.idle()
    expect(published.filter((e) => e.type === 'task.completed')).toEqual([])
    const journal = await intruder.readJournal(run.runId)
    expect(journal.some((e) => e.type === 'task.completed')).toBe(false)
  })

  it('lists a checkpoint after every completion, and on request', async () => {
    const name = temp.open().name
    const engine = open(name)
    await engine.register(
      def({ a: { action: 'noop' }, b: { action: 'delay', dependsOn: ['a'], params: { ms: 10 } } }),
    )
    const run = await engine.start('wf')
    await until(async () => (await engine.getRun(run.runId))?.tasks.b?.status === 'waiting')
    const manual = await engine.checkpoint(run.runId, 'before the wait')
    expect(manual).toMatchObject({ runId: run.runId, reason: 'before the wait', completedTasks: ['a'] })
    const list = await engine.checkpoints(run.runId)
    expect(list.map((c) => c.reason)).toEqual([
      'before the first task',
      'task a completed',
      'before the wait',
    ])
    expect(list[1]!.completedTasks).toEqual(['a'])
    expect(list[2]!.checkpointId).toBe(manual.checkpointId)
    await expect(engine.checkpoint('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('rolls back with compensations in IndexedDB; a new engine sees the rolled-back run and resumes it', async () => {
    const name = temp.open().name
    const undone: string[] = []
    let fixed = false
    const actions = {
      book: (params: { what: string }) => `${params.what}-booked`,
      charge: () => {
        if (!fixed) throw new Error('card declined')
        return 'charged'
      },
      undo: (params: { what: string }) => {
        undone.push(params.what)
        return null
      },
    }
    const first = open(name, { actions })
    await first.register(
      def({
        hotel: {
          action: 'book',
          params: { what: 'hotel' },
          compensate: { action: 'undo', params: { what: '${ tasks.hotel.output }' } },
        },
        flight: {
          action: 'book',
          dependsOn: ['hotel'],
          params: { what: 'flight' },
          compensate: { action: 'undo', params: { what: '${ tasks.flight.output }' } },
        },
        pay: { action: 'charge', dependsOn: ['flight'] },
      }),
    )
    const run = await first.start('wf', {}, { runId: 'trip' })
    expect((await first.wait(run.runId)).status).toBe('failed')
    const [, afterHotel] = await first.checkpoints(run.runId)
    await first.rollback(run.runId, afterHotel!.checkpointId)
    expect(undone).toEqual(['flight-booked'])
    await first.close()

    fixed = true
    const second = open(name, { actions })
    const view = (await second.getRun(run.runId))!
    expect(view.status).toBe('paused')
    expect(view.tasks.hotel!.status).toBe('completed')
    expect(view.tasks.flight!.status).toBe('pending')
    expect((await second.checkpoints(run.runId)).map((c) => c.checkpointId)).toEqual([
      'trip:0',
      afterHotel!.checkpointId,
    ])
    await second.resume(run.runId)
    const done = await second.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.flight!.output).toBe('flight-booked')
    const history = await second.history(run.runId)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })

  it('stops executing a run at once when its Web Lock is stolen', async () => {
    const { name, engine, slow, run, published } = await runHeldOpen()
    let releaseStolen!: () => void
    const held = new Promise<void>((resolve) => {
      releaseStolen = resolve
    })
    await new Promise<void>((granted) => {
      navigator.locks.request(`spindle:${name}:run:${run.runId}`, { steal: true }, () => {
        granted()
        return held
      })
    })
    await until(() => slow.calls[0]!.ctx.signal.aborted)
    slow.calls[0]!.resolve('late')
    await engine.idle()
    expect(published.filter((e) => e.runId === run.runId)).toEqual([])
    releaseStolen()
  })

  it('refuses a control call that does not fit a stored run without taking the run over', async () => {
    const name = temp.open().name
    const slow = controllable()
    const first = open(name, { actions: { slow: slow.handler } })
    await first.register(def({ a: { action: 'slow' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const run = await first.start('wf')
    await until(() => slow.calls.length === 1)
    await first.pause(run.runId)
    await first.close()

    const store = temp.open(name)
    const second = open(name, { actions: { slow: slow.handler } })
    await second.idle()
    const before = { record: await store.getRun(run.runId), journal: await store.readJournal(run.runId) }
    await expect(second.pause(run.runId)).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await expect(second.retryTask(run.runId, 'b')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await store.getRun(run.runId)).toEqual(before.record)
    expect(await store.readJournal(run.runId)).toEqual(before.journal)
    // A call that fits does take it over, and the run goes on.
    await second.resume(run.runId)
    await until(() => slow.calls.length === 2)
    slow.calls[1]!.resolve('done')
    expect((await second.wait(run.runId)).status).toBe('completed')
  })
})
