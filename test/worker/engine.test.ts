import { filter, firstValueFrom, take, toArray } from 'rxjs'
import {
  ArgumentError,
  DefinitionError,
  EngineClosedError,
  InputError,
  InvalidStateError,
  isRunEvent,
  NotFoundError,
  TimeoutError,
  type WorkflowDefinition,
  type WorkflowEvent,
} from 'spindle'
import { describe, expect, it } from 'vitest'
import { connectedWorkers } from './engine-worker'

const connect = connectedWorkers()

const sum: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'sum',
  version: '1.0.0',
  params: { a: { type: 'number', required: true }, b: { type: 'number', default: 2 } },
  tasks: {
    add: { action: 'add', params: { a: '${ input.a }', b: '${ input.b }' } },
    double: {
      action: 'add',
      dependsOn: ['add'],
      params: { a: '${ tasks.add.output }', b: '${ tasks.add.output }' },
    },
  },
  output: 'tasks.double.output',
}

/** `first` completes, then `gate` waits for the signal `go`, then `last` runs. */
const gated: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'gated',
  version: '1.0.0',
  tasks: {
    first: { action: 'record' },
    gate: { action: 'wait-for-event', dependsOn: ['first'], params: { event: 'go' } },
    last: { action: 'record', dependsOn: ['gate'], params: { value: '${ tasks.gate.output }' } },
  },
  output: 'tasks.last.output',
}

const failing: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'failing',
  version: '1.0.0',
  defaults: { retry: { maxAttempts: 1 } },
  tasks: {
    broken: { action: 'fail', params: { message: 'upstream said no' } },
    after: { action: 'record', dependsOn: ['broken'] },
  },
}

describe('the engine through a worker', () => {
  it('registers, validates, reads, lists and deletes definitions', async () => {
    const engine = connect()
    await expect(engine.register(sum)).resolves.toMatchObject({ id: 'sum', version: '1.0.0', taskCount: 2 })
    await expect(engine.register(JSON.stringify(gated))).resolves.toMatchObject({ id: 'gated' })
    expect(engine.validate(sum)).toEqual({ ok: true, issues: [] })
    await expect(engine.getDefinition('sum')).resolves.toMatchObject({ id: 'sum', tasks: sum.tasks })
    await expect(engine.getDefinition('nope')).resolves.toBeUndefined()
    expect((await engine.listDefinitions()).map((d) => d.id).sort()).toEqual(['gated', 'sum'])
    await engine.deleteDefinition('gated')
    expect((await engine.listDefinitions()).map((d) => d.id)).toEqual(['sum'])
    const missing = await engine.deleteDefinition('gated').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(NotFoundError)
  })

  it('rejects a bad definition with DefinitionError and every issue by path, the same on validate and register', async () => {
    const engine = connect()
    const bad = {
      ...sum,
      id: 'Not An Id',
      tasks: { ...sum.tasks, double: { ...sum.tasks.double!, dependsOn: ['ghost'] } },
    }
    // validate() on the page knows the worker's actions once the worker has answered a call.
    await engine.listDefinitions()
    const result = engine.validate(bad)
    expect(result.ok).toBe(false)
    const paths = result.issues.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['id', 'tasks.double.dependsOn[0]']))

    const error = await engine.register(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DefinitionError)
    expect((error as DefinitionError).code).toBe('DEFINITION_INVALID')
    expect((error as DefinitionError).issues).toEqual(result.issues)
    // An action the worker does not have: register names it (validate on the page can only once
    // the engine tells its action names, see connect.test.ts).
    const unknown = { ...sum, tasks: { ...sum.tasks, add: { action: 'nope' } } }
    await expect(engine.register(unknown)).rejects.toMatchObject({
      issues: [
        expect.objectContaining({ path: 'tasks.add.action', message: expect.stringContaining('"nope"') }),
      ],
    })
    expect(await engine.listDefinitions()).toEqual([])
  })

  it('starts a run, waits for it and reads its view, history and listing', async () => {
    const engine = connect()
    await engine.register(sum)
    const run = await engine.start('sum', { a: 3 })
    expect(run).toMatchObject({ definitionId: 'sum', version: '1.0.0' })
    const view = await engine.wait(run.runId, { timeoutMs: 5000 })
    expect(view).toMatchObject({
      status: 'completed',
      output: 10,
      input: { a: 3, b: 2 },
      tasks: { add: { status: 'completed', output: 5 }, double: { status: 'completed', output: 10 } },
      progress: { percent: 100, completed: 2, total: 2 },
    })
    await expect(engine.getRun(run.runId)).resolves.toMatchObject({ status: 'completed', output: 10 })
    await expect(engine.getRun('unknown-run')).resolves.toBeUndefined()
    await expect(engine.listRuns({ status: 'completed' })).resolves.toEqual({
      runs: [expect.objectContaining({ runId: run.runId, status: 'completed' })],
    })
    const history = await engine.history(run.runId)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
    expect(history.map((e) => e.type)).toEqual(
      expect.arrayContaining(['workflow.started', 'task.completed', 'workflow.completed']),
    )
    expect((await engine.checkpoints(run.runId)).map((c) => c.completedTasks)).toEqual(
      expect.arrayContaining([['add'], ['add', 'double']]),
    )
  })

  it('rejects bad run input and unknown definitions with their typed errors', async () => {
    const engine = connect()
    await engine.register(sum)
    const input = await engine.start('sum', { a: 'three' }).catch((e: unknown) => e)
    expect(input).toBeInstanceOf(InputError)
    expect((input as InputError).issues[0]).toMatchObject({ path: expect.stringContaining('a') })
    await expect(engine.start('nope')).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.listRuns({ limit: -1 })).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.wait('no-such-run')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('pauses, resumes, signals, checkpoints and rolls back a run', async () => {
    const engine = connect()
    await engine.register(gated)
    const run = await engine.start('gated')
    await expect.poll(async () => (await engine.getRun(run.runId))?.tasks.gate?.status).toBe('waiting')

    await expect(engine.pause(run.runId)).resolves.toMatchObject({ status: 'paused' })
    const again = await engine.pause(run.runId).catch((e: unknown) => e)
    expect(again).toBeInstanceOf(InvalidStateError)
    expect(again).toMatchObject({ code: 'INVALID_STATE' })
    const checkpoint = await engine.checkpoint(run.runId, 'before the gate')
    expect(checkpoint).toMatchObject({
      runId: run.runId,
      reason: 'before the gate',
      completedTasks: ['first'],
    })
    await expect(engine.rollback(run.runId, checkpoint.checkpointId)).resolves.toMatchObject({
      status: 'paused',
    })
    await expect(engine.resume(run.runId)).resolves.toMatchObject({ status: 'running' })

    await expect(engine.wait(run.runId, { timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError)
    await engine.signal(run.runId, 'go', { ok: 'yes' })
    await expect(engine.wait(run.runId, { timeoutMs: 5000 })).resolves.toMatchObject({
      status: 'completed',
      output: { ok: 'yes' },
    })
    await expect(engine.resume(run.runId)).rejects.toBeInstanceOf(InvalidStateError)
  })

  it('retries and skips a failed task, and cancels a run', async () => {
    const engine = connect()
    await engine.register(failing)
    const run = await engine.start('failing')
    const failed = await engine.wait(run.runId, { timeoutMs: 5000 })
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED' } })
    expect(failed.tasks.broken).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('upstream said no') },
    })

    await engine.retryTask(run.runId, 'broken')
    await expect(engine.wait(run.runId, { timeoutMs: 5000 })).resolves.toMatchObject({ status: 'failed' })
    expect((await engine.getRun(run.runId))?.tasks.broken?.attempts).toBe(2)
    await expect(engine.retryTask(run.runId, 'ghost')).rejects.toBeInstanceOf(NotFoundError)

    await engine.skipTask(run.runId, 'broken')
    await expect(engine.wait(run.runId, { timeoutMs: 5000 })).resolves.toMatchObject({
      status: 'completed',
      // `after` depends on `broken` under the default rule (all-success): skipped with it.
      tasks: { broken: { status: 'skipped' }, after: { status: 'skipped' } },
    })

    await engine.register(gated)
    const waiting = await engine.start('gated')
    await expect(engine.cancel(waiting.runId, 'not needed')).resolves.toMatchObject({ status: 'cancelled' })
    await expect(engine.cancel(waiting.runId)).rejects.toBeInstanceOf(InvalidStateError)
  })

  it('streams the events of a run in order, one subscription for every page subscriber', async () => {
    const engine = connect()
    await engine.register(sum)
    const all = firstValueFrom(
      engine.events$.pipe(
        filter(isRunEvent),
        filter((e) => e.type === 'workflow.completed'),
        take(1),
      ),
    )
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('sum', { a: 1 })
    await all
    await engine.wait(run.runId)
    const ofRun = events.filter((e) => e.runId === run.runId)
    expect(ofRun.map((e) => e.seq)).toEqual(ofRun.map((_, i) => i + 1))
    expect(ofRun.at(-1)).toMatchObject({ type: 'workflow.completed', output: 6 })
  })

  it('recover() answers through the worker and close() ends the engine', async () => {
    const engine = connect()
    await expect(engine.recover()).resolves.toEqual([])
    const events = firstValueFrom(engine.events$.pipe(filter(isRunEvent), toArray()))
    await engine.close()
    await expect(events).resolves.toEqual([])
    await expect(engine.listDefinitions()).rejects.toBeInstanceOf(EngineClosedError)
  })

  it('a wait() pending at close() rejects with EngineClosedError on the page', async () => {
    const engine = connect()
    await engine.register(gated)
    const run = await engine.start('gated')
    const outcome = engine.wait(run.runId).then(
      (view) => view,
      (error: unknown) => error,
    )
    await engine.listRuns()
    await engine.close()
    expect(await outcome).toBeInstanceOf(EngineClosedError)
  })
})
