import { filter } from 'rxjs'
import { isRunEvent, memoryStore, type Store, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { def, testEngine } from '../support/engine-fixtures'

/** a → b → c, where c fails until `cFixed` is set; b and a are compensated by `undo`. */
function saga(store: Store = memoryStore()) {
  const state = { cFixed: false, undone: [] as { params: unknown; key: string }[], runs: [] as string[] }
  const { engine, clock } = testEngine({
    store,
    actions: {
      book: (params: { what: string }) => {
        state.runs.push(params.what)
        return { booking: `${params.what}-1` }
      },
      charge: () => {
        state.runs.push('charge')
        if (!state.cFixed) throw new Error('card declined')
        return 'charged'
      },
      undo: (params: unknown, ctx: { idempotencyKey: string }) => {
        state.undone.push({ params, key: ctx.idempotencyKey })
        return null
      },
    },
  })
  const definition = def(
    {
      a: {
        action: 'book',
        params: { what: 'hotel' },
        compensate: { action: 'undo', params: { cancel: '${ tasks.a.output.booking }' } },
      },
      b: {
        action: 'book',
        dependsOn: ['a'],
        params: { what: 'flight' },
        compensate: { action: 'undo', params: { cancel: '${ tasks.b.output.booking }' } },
      },
      c: { action: 'charge', dependsOn: ['b'] },
    },
    { output: 'tasks.c.output' },
  )
  return { engine, clock, store, state, definition }
}

describe('rollback', () => {
  it('compensates newest first, restores the checkpoint, pauses; resume re-runs what followed', async () => {
    const { engine, state, definition } = saga()
    await engine.register(definition)
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf', {}, { runId: 'trip' })
    expect((await engine.wait(run.runId)).status).toBe('failed')
    const checkpoints = (await engine.checkpoints(run.runId)).slice(1)
    expect(checkpoints.map((c) => c.completedTasks)).toEqual([['a'], ['a', 'b']])

    const info = await engine.rollback(run.runId, checkpoints[0]!.checkpointId)
    expect(info.status).toBe('paused')
    expect(state.undone).toEqual([{ params: { cancel: 'flight-1' }, key: 'trip:b:compensate' }])
    const view = (await engine.getRun(run.runId))!
    expect(view.tasks.a!.status).toBe('completed')
    expect(view.tasks.b!.status).toBe('pending')
    expect(view.tasks.c!.status).toBe('pending')
    expect(view.error).toBeUndefined()
    expect(events.at(-1)).toMatchObject({
      type: 'workflow.rolled-back',
      checkpointId: checkpoints[0]!.checkpointId,
      toSeq: checkpoints[0]!.seq,
      compensated: ['b'],
    })

    const history = await engine.history(run.runId)
    const undone = history.filter((e) => e.rolledBack)
    expect(undone.length).toBeGreaterThan(0)
    expect(undone.every((e) => e.seq > checkpoints[0]!.seq)).toBe(true)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
    expect(await engine.checkpoints(run.runId)).toHaveLength(2)

    state.cFixed = true
    await engine.resume(run.runId)
    const done = await engine.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(done.output).toBe('charged')
    expect(state.runs).toEqual(['hotel', 'flight', 'charge', 'flight', 'charge'])
  })

  it('rolls back to the latest checkpoint by default', async () => {
    const { engine, state, definition } = saga()
    await engine.register(definition)
    const run = await engine.start('wf')
    await engine.wait(run.runId)
    await engine.rollback(run.runId)
    expect(state.undone).toEqual([])
    const view = (await engine.getRun(run.runId))!
    expect(view.status).toBe('paused')
    expect(view.tasks.b!.status).toBe('completed')
    state.cFixed = true
    await engine.resume(run.runId)
    expect((await engine.wait(run.runId)).status).toBe('completed')
  })

  it('has checkpoint <runId>:0 before the first task: rolling back to it compensates every completed task', async () => {
    const { engine, state, definition } = saga()
    await engine.register(definition)
    const run = await engine.start('wf', {}, { runId: 'trip' })
    await engine.wait(run.runId)
    const [start] = await engine.checkpoints(run.runId)
    expect(start).toMatchObject({ checkpointId: 'trip:0', runId: 'trip', completedTasks: [] })
    await expect(engine.rollback(run.runId, 'trip:0')).resolves.toMatchObject({ status: 'paused' })
    expect(state.undone.map((u) => u.key)).toEqual(['trip:b:compensate', 'trip:a:compensate'])
    const view = (await engine.getRun(run.runId))!
    expect(Object.values(view.tasks).map((t) => t.status)).toEqual(['pending', 'pending', 'pending'])
    expect(await engine.checkpoints(run.runId)).toEqual([start])
    state.cFixed = true
    await engine.resume(run.runId)
    expect((await engine.wait(run.runId)).status).toBe('completed')
    expect(state.runs).toEqual(['hotel', 'flight', 'charge', 'hotel', 'flight', 'charge'])
  })

  it('rolls back a completed run: to its latest checkpoint (resume completes it again) or to its start', async () => {
    const { engine, state, definition } = saga()
    await engine.register(definition)
    state.cFixed = true
    const run = await engine.start('wf', {}, { runId: 'trip' })
    expect((await engine.wait(run.runId)).status).toBe('completed')
    await expect(engine.rollback(run.runId)).resolves.toMatchObject({ status: 'paused' })
    const types = (await engine.history(run.runId)).map((e) => e.type)
    expect(types.slice(-2)).toEqual(['workflow.completed', 'workflow.rolled-back'])
    await engine.resume(run.runId)
    const again = await engine.wait(run.runId)
    expect(again).toMatchObject({ status: 'completed', output: 'charged' })
    expect(state.runs).toEqual(['hotel', 'flight', 'charge'])

    await expect(engine.rollback(run.runId, 'trip:0')).resolves.toMatchObject({ status: 'paused' })
    expect(state.undone.map((u) => u.key)).toEqual(['trip:b:compensate', 'trip:a:compensate'])
  })

  it("leaves the journal as it was when the rollback's own write fails; rolling back again works", async () => {
    const store = faultyStore(memoryStore(), { method: 'commit', entryType: 'workflow.rolled-back' })
    const { engine, state, definition } = saga(store)
    await engine.register(definition)
    await engine.start('wf', {}, { runId: 'trip' })
    expect((await engine.wait('trip')).status).toBe('failed')
    const before = await engine.history('trip')
    await expect(engine.rollback('trip', 'trip:0')).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
    await engine.idle()
    expect(await engine.history('trip')).toEqual(before)
    expect((await engine.getRun('trip'))!.status).toBe('failed')

    await expect(engine.rollback('trip', 'trip:0')).resolves.toMatchObject({ status: 'paused' })
    const seqs = (await engine.history('trip')).map((e) => e.seq)
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y))
    state.cFixed = true
    await engine.resume('trip')
    expect((await engine.wait('trip')).status).toBe('completed')
  })

  it('refuses a rollback that does not fit and changes nothing', async () => {
    const { engine, state, definition } = saga()
    await engine.register(definition)
    const run = await engine.start('wf')
    await engine.wait(run.runId)
    await engine.cancel(run.runId)
    const history = await engine.history(run.runId)
    await expect(engine.rollback(run.runId)).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await engine.history(run.runId)).toEqual(history)
    expect(state.undone).toEqual([])
    await engine.register({ ...def({ x: { action: 'delay', params: { ms: 1000 } } }), id: 'slow' })
    const fresh = await engine.start('slow')
    await engine.idle()
    await expect(engine.rollback(fresh.runId, 'no-such-checkpoint')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(engine.rollback('no-such-run')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await engine.getRun(fresh.runId))!.status).toBe('running')
  })

  it('keeps the run as it was when a compensation fails, and pauses it', async () => {
    const { engine, definition } = saga()
    const failing = {
      ...definition,
      id: 'bad-undo',
      tasks: {
        ...definition.tasks,
        b: { ...(definition.tasks.b as object), compensate: { action: 'charge' } },
      },
    }
    await engine.register(failing)
    const run = await engine.start('bad-undo')
    await engine.wait(run.runId)
    const [first] = await engine.checkpoints(run.runId)
    const error = await engine.rollback(run.runId, first!.checkpointId).catch((e) => e)
    expect(error.code).toBe('COMPENSATION_FAILED')
    const view = (await engine.getRun(run.runId))!
    expect(view.tasks.b!.status).toBe('completed')
    expect((await engine.history(run.runId)).some((e) => e.rolledBack)).toBe(false)
  })
})
