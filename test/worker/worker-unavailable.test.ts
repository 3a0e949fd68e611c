import { ArgumentError, type Engine, WorkerUnavailableError } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeEngineWorker } from './fake-worker'

const workers: Worker[] = []
const engines: Engine[] = []

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
  for (const worker of workers.splice(0)) worker.terminate()
})

function connect(worker: Worker, startTimeoutMs?: number): Engine {
  workers.push(worker)
  const engine = connectEngine(worker, { startTimeoutMs })
  engines.push(engine)
  return engine
}

function testWorker(file: 'throwing' | 'silent'): Worker {
  return file === 'throwing'
    ? new Worker(new URL('./throwing.worker.ts', import.meta.url), { type: 'module' })
    : new Worker(new URL('./silent.worker.ts', import.meta.url), { type: 'module' })
}

describe('connectEngine: a worker that never serves', () => {
  it('rejects calls with WORKER_UNAVAILABLE when the worker throws while loading', async () => {
    const engine = connect(testWorker('throwing'))
    const error = await engine.listDefinitions().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerUnavailableError)
    expect(error).toMatchObject({ name: 'WorkerUnavailableError', code: 'WORKER_UNAVAILABLE' })
    expect((error as Error).message).toContain('configuration missing')
    // Later calls fail at once, and close() has nothing left to wait for.
    await expect(engine.getRun('r1')).rejects.toBeInstanceOf(WorkerUnavailableError)
    await expect(engine.close()).resolves.toBeUndefined()
  })

  it('rejects every pending call once startTimeoutMs passes without serveEngine', async () => {
    const engine = connect(testWorker('silent'), 30)
    const calls = [engine.listDefinitions(), engine.start('wf'), engine.getRun('r1')]
    const results = await Promise.allSettled(calls)
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const reason = (result as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(WorkerUnavailableError)
      expect(reason.message).toContain('did not answer within 30 ms')
      expect(reason.value).toBe(30)
    }
  })

  it('errors event subscribers too', async () => {
    const engine = connect(testWorker('silent'), 30)
    const error = await new Promise((resolve) => engine.events$.subscribe({ error: resolve }))
    expect(error).toBeInstanceOf(WorkerUnavailableError)
  })

  it('does not time out a worker that answered in time', async () => {
    const engine = connect(fakeEngineWorker(), 15_000)
    await expect(engine.getRun('r1')).resolves.toMatchObject({ runId: 'r1' })
  })

  it('refuses a bad startTimeoutMs before starting anything', () => {
    for (const bad of [0, -1, Number.NaN, '10' as unknown as number, 2 ** 40]) {
      const worker = testWorker('silent')
      workers.push(worker)
      expect(() => connectEngine(worker, { startTimeoutMs: bad })).toThrow(ArgumentError)
    }
  })
})

describe('connectEngine: a worker that ends while connected', () => {
  it('rejects the calls waiting on a terminated worker, and later calls', async () => {
    const worker = fakeEngineWorker()
    const engine = connect(worker)
    await engine.getRun('r1')
    const pending = engine.signal('r1', 'hang')
    worker.terminate()
    await expect(pending).rejects.toThrow(/worker ended/)
    await expect(pending).rejects.toBeInstanceOf(WorkerUnavailableError)
    await expect(engine.getRun('r1')).rejects.toBeInstanceOf(WorkerUnavailableError)
  })

  it('rejects the calls waiting on a worker that fires an error event', async () => {
    const engine = connect(fakeEngineWorker())
    await engine.getRun('r1')
    const error = await engine.signal('r1', 'crash').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerUnavailableError)
    expect((error as Error).message).toContain('worker crashed')
  })

  it('stays quiet when close() ends the worker it started', async () => {
    const worker = fakeEngineWorker()
    const engine = connect(worker)
    await engine.getRun('r1')
    await engine.close()
    worker.terminate()
    await expect(engine.getRun('r1')).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
  })
})

describe('connectEngine: close() against calls in flight and a worker not yet answering', () => {
  it('settles a call still waiting in the worker with ENGINE_CLOSED', async () => {
    const engine = connect(fakeEngineWorker())
    const pending = engine.signal('r1', 'hang')
    await engine.close()
    await expect(pending).rejects.toMatchObject({ name: 'EngineClosedError', code: 'ENGINE_CLOSED' })
  })

  it('close() before the first answer closes once the worker answers', async () => {
    const engine = connect(fakeEngineWorker())
    const pending = engine.getRun('r1')
    await engine.close()
    await expect(pending).resolves.toMatchObject({ runId: 'r1' })
    await expect(engine.getRun('r1')).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
  })

  it('close() on a worker that never answers resolves once startTimeoutMs passes', async () => {
    const engine = connect(testWorker('silent'), 30)
    const pending = engine.getRun('r1')
    await expect(engine.close()).resolves.toBeUndefined()
    await expect(pending).rejects.toBeInstanceOf(WorkerUnavailableError)
  })

  it('a worker terminated during close(): close() resolves, the calls reject', async () => {
    const worker = fakeEngineWorker()
    const engine = connect(worker)
    await engine.getRun('r1')
    const pending = engine.signal('r1', 'hang')
    const closing = engine.close()
    worker.terminate()
    await expect(closing).resolves.toBeUndefined()
    await expect(pending).rejects.toMatchObject({
      code: expect.stringMatching(/^(WORKER_UNAVAILABLE|ENGINE_CLOSED)$/),
    })
  })
})
