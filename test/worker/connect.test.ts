import {
  ArgumentError,
  createEngine,
  DefinitionError,
  EngineClosedError,
  ExpressionError,
  InputError,
  InvalidStateError,
  memoryStore,
  NotFoundError,
  SpindleError,
  TaskError,
  TimeoutError,
} from 'spindle'
import { connectEngine } from 'spindle/client'
import { serveEngine } from 'spindle/worker'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeEngineWorker } from './fake-worker'

const workers: Worker[] = []
function connect() {
  const worker = fakeEngineWorker()
  workers.push(worker)
  return connectEngine(worker)
}

afterEach(() => {
  for (const worker of workers.splice(0)) worker.terminate()
})

describe('connectEngine: calls', () => {
  it('forwards a call and returns its plain result', async () => {
    const engine = connect()
    await expect(engine.register({ id: 'wf' })).resolves.toEqual({
      id: 'wf',
      version: '1.0.0',
      schemaVersion: '2.0',
      registeredAt: 5,
      taskCount: 1,
    })
    await expect(engine.start('wf')).resolves.toMatchObject({ runId: 'run-wf', status: 'running' })
    await expect(engine.getRun('none')).resolves.toBeUndefined()
    const view = (await engine.getRun('r1')) as any
    expect(view.when).toBeInstanceOf(Date)
    expect(view.tags).toEqual(new Set(['a']))
  })

  it('passes every argument, including structured data', async () => {
    const engine = connect()
    const payload = { at: new Date(3), map: new Map([[1, 'x']]), nested: { list: [1, 2] } }
    await expect(engine.signal('r1', 'echo', payload)).resolves.toEqual({ runId: 'r1', payload })
  })
})

describe('connectEngine: errors keep their class, code and fields', () => {
  it('DefinitionError with every issue', async () => {
    const engine = connect()
    const error = await engine.register({ id: 'Bad!', bad: true }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DefinitionError)
    expect(error).toBeInstanceOf(SpindleError)
    expect(error).toMatchObject({
      name: 'DefinitionError',
      code: 'DEFINITION_INVALID',
      value: { id: 'Bad!', bad: true },
      issues: [
        { path: 'tasks.b.dependsOn[0]', code: 'unknown-task', message: 'depends on unknown task "x"' },
        { path: 'id', code: 'pattern', message: 'must match [a-z0-9][a-z0-9._-]*' },
      ],
    })
    expect((error as Error).message).toContain('tasks.b.dependsOn[0]: depends on unknown task "x"')
    expect((error as Error).stack).toContain('fake-engine.worker')
  })

  it('InputError, NotFoundError, InvalidStateError, TimeoutError', async () => {
    const engine = connect()
    const input = await engine.start('wf', { bad: true }).catch((e: unknown) => e)
    expect(input).toBeInstanceOf(InputError)
    expect(input).toMatchObject({ code: 'INPUT_INVALID', issues: [{ path: 'input.orderId' }] })

    const missing = await engine.start('missing').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(NotFoundError)
    expect(missing).toMatchObject({ code: 'NOT_FOUND', value: 'missing', message: 'No workflow "missing".' })

    const state = await engine.pause('r1').catch((e: unknown) => e)
    expect(state).toBeInstanceOf(InvalidStateError)
    expect(state).toMatchObject({ code: 'INVALID_STATE', value: 'r1' })

    const timeout = await engine.wait('r1').catch((e: unknown) => e)
    expect(timeout).toBeInstanceOf(TimeoutError)
    expect(timeout).toMatchObject({ code: 'TIMEOUT', value: 10 })
  })

  it('TaskError with its taskId and cause; ExpressionError with its expression', async () => {
    const engine = connect()
    const task = await engine.retryTask('r1', 'fetch').catch((e: unknown) => e)
    expect(task).toBeInstanceOf(TaskError)
    expect(task).toMatchObject({ code: 'TASK_FAILED', taskId: 'fetch' })
    expect((task as Error).cause).toBeInstanceOf(Error)
    expect((task as Error).cause).toMatchObject({ name: 'TypeError', message: 'fetch failed' })

    const expression = await engine.skipTask('r1', 'a').catch((e: unknown) => e)
    expect(expression).toBeInstanceOf(ExpressionError)
    expect(expression).toMatchObject({
      code: 'EXPRESSION_FAILED',
      expression: 'tasks.a.output.x > 1',
      value: 'tasks.a.output.x > 1',
    })
  })

  it('a value that cannot be cloned crosses as text; a plain Error keeps its name', async () => {
    const engine = connect()
    const custom = await engine.cancel('r1').catch((e: unknown) => e)
    expect(custom).toBeInstanceOf(SpindleError)
    expect(custom).toMatchObject({ code: 'CANCELLED', message: 'custom', value: '() => 1' })

    const plain = await engine.resume('r1').catch((e: unknown) => e)
    expect(plain).toBeInstanceOf(Error)
    expect(plain).not.toBeInstanceOf(SpindleError)
    expect(plain).toMatchObject({ name: 'RangeError', message: 'plain failure' })
  })

  it('arguments that cannot be sent reject with ArgumentError before reaching the worker', async () => {
    const engine = connect()
    const error = await engine.register({ id: 'wf', run: () => 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArgumentError)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect((error as Error).message).toMatch(/register\(\).*plain data/s)
    await expect(engine.register({ id: 'ok' })).resolves.toMatchObject({ id: 'ok' })
  })
})

describe('connectEngine: validate', () => {
  const definition = (action: string) => ({
    schemaVersion: '2.0',
    id: 'wf',
    version: '1.0.0',
    tasks: { a: { action }, b: { action: 'noop', dependsOn: ['a', 'ghost'] } },
  })

  it('answers on the page, synchronously, with the actions the worker told', async () => {
    const engine = connect()
    await engine.getRun('none')
    expect(engine.validate(definition('add'))).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'tasks.b.dependsOn[1]' })],
    })
    const unknown = engine.validate(definition('send-mail'))
    expect(unknown.issues.map((i) => i.path)).toEqual(['tasks.a.action', 'tasks.b.dependsOn[1]'])
    expect(unknown.issues[0]!.message).toMatch(/Unknown action "send-mail".*Known actions: add, noop/s)
    expect(
      engine.validate(JSON.stringify({ ...definition('add'), tasks: { a: { action: 'add' } } })),
    ).toEqual({
      ok: true,
      issues: [],
    })
  })

  it('before the worker answered, accepts nothing: one engine-not-ready issue', async () => {
    const engine = connect()
    const notReady = {
      ok: false,
      issues: [{ path: '', code: 'engine-not-ready', message: expect.stringMatching(/await any call/) }],
    }
    expect(engine.validate(definition('send-mail'))).toEqual(notReady)
    expect(engine.validate({ ...definition('add'), tasks: { a: { action: 'add' } } })).toEqual(notReady)
    await engine.getRun('none')
    expect(engine.validate({ ...definition('add'), tasks: { a: { action: 'add' } } })).toEqual({
      ok: true,
      issues: [],
    })
    expect(engine.validate(definition('send-mail')).issues[0]).toMatchObject({ path: 'tasks.a.action' })
  })

  it('with the worker unavailable, accepts nothing: one worker-unavailable issue', async () => {
    const silent = new Worker(new URL('./silent.worker.ts', import.meta.url), { type: 'module' })
    workers.push(silent)
    const engine = connectEngine(silent, { startTimeoutMs: 20 })
    await expect(engine.listDefinitions()).rejects.toMatchObject({ code: 'WORKER_UNAVAILABLE' })
    expect(engine.validate(definition('add'))).toEqual({
      ok: false,
      issues: [{ path: '', code: 'worker-unavailable', message: expect.stringMatching(/did not answer/) }],
    })
  })
})

describe('serveEngine', () => {
  it('refuses to serve on a page, and to serve twice in one worker', async () => {
    const local = createEngine({ store: memoryStore(), recover: false })
    expect(() => serveEngine(local)).toThrow(ArgumentError)
    await local.close()
    await expect(connect().signal('r1', 'serve-again')).resolves.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('already called'),
    })
  })
})

describe('connectEngine: close', () => {
  it('rejects later calls with EngineClosedError and leaves a worker it did not create running', async () => {
    const worker = fakeEngineWorker()
    workers.push(worker)
    const engine = connectEngine(worker)
    await engine.close()
    await expect(engine.start('wf')).rejects.toBeInstanceOf(EngineClosedError)
    await expect(engine.close()).resolves.toBeUndefined()
    // The worker still answers a new connection (its engine was closed, the worker was not).
    const again = connectEngine(worker)
    await expect(again.start('wf')).resolves.toMatchObject({ runId: 'run-wf' })
  })
})
