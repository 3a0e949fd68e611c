import { ArgumentError, WorkerUnavailableError } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import { deleteDatabase, tempDatabaseName } from '../store/temp-database'
import { fakeServer } from '../support/fake-models'
import { fileRoots, readBack } from '../support/file-roots'

const server = inject('testServer')

describe('connectEngine(undefined, { engine }): the default worker configured with JSON', () => {
  const databases: string[] = []
  const roots = fileRoots()
  afterEach(async () => {
    for (const name of databases.splice(0)) await deleteDatabase(name)
  })

  it('runs an http task to an origin the options allow, on the database they name', async () => {
    const name = tempDatabaseName('default-worker')
    databases.push(name)
    const engine = connectEngine(undefined, { engine: { store: { name }, http: { allow: [server] } } })
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'call',
        version: '1.0.0',
        tasks: { get: { action: 'http', params: { url: `${server}/http/json` } } },
        output: 'tasks.get.output.body',
      })
      const run = await engine.start('call')
      await expect(engine.wait(run.runId, { timeoutMs: 5000 })).resolves.toMatchObject({
        status: 'completed',
        output: { hello: 'world' },
      })
      expect(engine.storeName).toBe(name)
    } finally {
      await engine.close()
    }
  })

  it('takes the result cache size cap: with maxBytes 0 nothing is kept, and the completion says why', async () => {
    const name = tempDatabaseName('default-worker')
    databases.push(name)
    const engine = connectEngine(undefined, { engine: { store: { name }, cache: { maxBytes: 0 } } })
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'cached',
        version: '1.0.0',
        tasks: { t: { action: 'transform', params: { value: 1 }, cache: { ttlMs: 60_000 } } },
      })
      const run = await engine.start('cached')
      await engine.wait(run.runId, { timeoutMs: 5000 })
      const completed = (await engine.history(run.runId)).find((entry) => entry.type === 'task.completed')
      expect(completed).toMatchObject({ cache: { skipped: 'too-large' } })
    } finally {
      await engine.close()
    }
  })

  it('without the option, the default worker refuses the test server (another origin than the page)', async () => {
    const name = tempDatabaseName('default-worker')
    databases.push(name)
    const engine = connectEngine(undefined, { engine: { store: { name } } })
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'call',
        version: '1.0.0',
        tasks: { get: { action: 'http', params: { url: `${server}/http/json` } } },
      })
      const run = await engine.start('call')
      const view = await engine.wait(run.runId, { timeoutMs: 5000 })
      expect(view.tasks.get).toMatchObject({ status: 'failed', error: { code: 'ORIGIN_NOT_ALLOWED' } })
    } finally {
      await engine.close()
    }
  })

  it('refuses on the page, listing every problem and starting no worker: code, class instances, unknown fields', () => {
    const start = vi.spyOn(globalThis, 'Worker')
    try {
      const bad = {
        http: { allow: [server], headers: { at: new Date(0) } },
        maxConcurrentRuns: Number.NaN,
        actions: { ship: () => {} },
        defaults: { retry: { maxAttempts: 2 }, onError: () => 'fail' },
      }
      expect(() => connectEngine(undefined, { engine: bad as never })).toThrow(ArgumentError)
      try {
        connectEngine(undefined, { engine: bad as never })
      } catch (error) {
        const { message } = error as ArgumentError
        expect(message).toContain('http.headers.at is an instance of Date')
        expect(message).toContain('maxConcurrentRuns is NaN')
        expect(message).toContain('unknown field "actions"')
        expect(message).toContain('defaults.onError is a function')
      }
      expect(() => connectEngine(undefined, { engine: 'spindle' as never })).toThrow(ArgumentError)
      expect(start).not.toHaveBeenCalled()
    } finally {
      start.mockRestore()
    }
  })

  it('refuses engine options with a worker of the app, whose engine the app makes', () => {
    const worker = { postMessage() {}, addEventListener() {} } as unknown as Worker
    expect(() => connectEngine(worker, { engine: { http: { allow: [server] } } })).toThrow(
      /for the default worker only/,
    )
  })

  it('a value the engine refuses fails the worker, naming the problem', async () => {
    const name = tempDatabaseName('default-worker')
    databases.push(name)
    const engine = connectEngine(undefined, {
      engine: { store: { name }, http: { allow: ['https://api.example.com/v1'] } },
    })
    try {
      const error = await engine.listDefinitions().catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(WorkerUnavailableError)
      expect((error as Error).message).toContain('write "https://api.example.com"')
    } finally {
      await engine.close()
    }
  })

  it('runs an ai task with models, their key, a limit and a files root given as JSON, and reads the key from no event', async () => {
    const name = tempDatabaseName('default-worker')
    databases.push(name)
    const root = roots.next()
    const fake = fakeServer()
    const key = 'sk-default-worker-7f3a9c'
    const engine = connectEngine(undefined, {
      engine: {
        store: { name },
        models: [fake.model('m', 'fake-ok', { apiKey: 'openai' })],
        secrets: { openai: key },
        files: { root },
        limits: { ai: { concurrency: 1 } },
      },
    })
    const events: unknown[] = []
    const subscription = engine.events$.subscribe((event) => events.push(event))
    try {
      expect(await engine.models()).toMatchObject([{ id: 'm', available: true }])
      await engine.register({
        schemaVersion: '2.0',
        id: 'ask',
        version: '1.0.0',
        tasks: {
          ask: { action: 'ai', params: { model: 'm', prompt: 'hello' } },
          save: {
            action: 'file',
            dependsOn: ['ask'],
            params: { op: 'write', path: 'answer.txt', data: '${ tasks.ask.output.text }' },
          },
        },
        output: 'tasks.ask.output.text',
      })
      const run = await engine.start('ask')
      const view = await engine.wait(run.runId, { timeoutMs: 5000 })
      expect(view).toMatchObject({ status: 'completed', output: 'ok: hello' })
      expect(await readBack(root, 'answer.txt')).toBe('ok: hello')
      expect((await fake.log())[0]!.authorization).toBe(`Bearer ${key}`)
      expect(JSON.stringify([events, await engine.history(run.runId), view])).not.toContain(key)
    } finally {
      subscription.unsubscribe()
      await engine.close()
    }
  })
})
