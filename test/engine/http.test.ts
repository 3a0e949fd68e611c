import { ArgumentError, type Engine, type RunView } from 'spindle'
import { describe, expect, inject, it } from 'vitest'
import { def, testEngines, until } from '../support/engine-fixtures'

const server = inject('testServer')
const retry = { maxAttempts: 3, initialDelayMs: 10, backoff: 1, jitter: 0 }

/** A token no other test uses, so the server's counts under it are this test's. */
const token = () => `t${Math.random().toString(36).slice(2, 10)}`

/** What the test server saw under `key`: every request (preflights too), and the ones aborted. */
async function seen(
  key: string,
): Promise<{ requests: { method: string; idempotencyKey?: string }[]; closed: number }> {
  return (await fetch(`${server}/http/seen/${key}`)).json()
}

/** The run once its task `t` has an outcome (the fetch is real I/O, which `idle()` does not wait for). */
async function settled(engine: Engine, runId: string): Promise<RunView> {
  const ended = ['completed', 'failed', 'retrying', 'cancelled']
  await until(async () => ended.includes((await engine.getRun(runId))!.tasks.t!.status))
  return (await engine.getRun(runId))!
}

describe('http: calls through createEngine against the test server', () => {
  const open = testEngines()
  const allowed = (extra = {}) => open({ http: { allow: [server] }, ...extra })

  /** Runs one `http` task with `params` (and task fields) to its end. */
  async function runTask(engine: Engine, params: object, task = {}) {
    await engine.register(def({ t: { action: 'http', params, ...task } }))
    const { runId } = await engine.start('wf')
    return { runId, view: await settled(engine, runId) }
  }

  it('outputs a JSON, a text and a bytes answer by their content types', async () => {
    const { engine } = allowed()
    await engine.register(
      def({
        j: { action: 'http', params: { url: `${server}/http/json` } },
        s: { action: 'http', params: { url: `${server}/http/text` } },
        b: { action: 'http', params: { url: `${server}/http/bytes` } },
        e: { action: 'http', params: { url: `${server}/http/empty-json` } },
        forced: { action: 'http', params: { url: `${server}/http/json`, responseType: 'text' } },
      }),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.j!.output).toMatchObject({ status: 200, body: { hello: 'world' } })
    expect((view.tasks.j!.output as { headers: object }).headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
    })
    expect(view.tasks.s!.output).toMatchObject({ body: 'plain words', headers: { 'x-answer': 'text' } })
    expect(view.tasks.b!.output).toMatchObject({ body: new Uint8Array([0, 1, 2, 255]) })
    expect(view.tasks.e!.output).toMatchObject({ body: null })
    expect(view.tasks.forced!.output).toMatchObject({ body: '{"hello":"world"}' })
  })

  it('sends json and string bodies, headers and query, with the Idempotency-Key on POST only', async () => {
    const { engine } = allowed({
      http: { allow: [server], headers: { 'x-app': 'spindle', 'x-over': 'engine' } },
    })
    const key = token()
    await engine.register(
      def({
        post: {
          action: 'http',
          params: {
            url: `${server}/http/echo/${key}`,
            method: 'POST',
            json: { a: [1, 2] },
            query: { q: 'x y', n: [1, 2] },
            headers: { 'X-Over': 'task' },
          },
        },
        put: {
          action: 'http',
          params: { url: `${server}/http/echo/${key}`, method: 'PUT', body: 'raw text' },
        },
        get: { action: 'http', params: { url: `${server}/http/echo/${key}` } },
      }),
    )
    const { runId } = await engine.start('wf')
    const view = await engine.wait(runId)
    const post = (view.tasks.post!.output as { body: Record<string, any> }).body
    expect(post).toMatchObject({
      method: 'POST',
      body: '{"a":[1,2]}',
      query: [
        ['q', 'x y'],
        ['n', '1'],
        ['n', '2'],
      ],
    })
    expect(post.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': `${runId}:post`,
      'x-app': 'spindle',
      'x-over': 'task',
    })
    const put = (view.tasks.put!.output as { body: Record<string, any> }).body
    expect(put).toMatchObject({ method: 'PUT', body: 'raw text' })
    expect(put.headers['idempotency-key']).toBe(`${runId}:put`)
    const get = (view.tasks.get!.output as { body: Record<string, any> }).body
    expect(get.headers['idempotency-key']).toBeUndefined()
  })

  it("sends another task's bytes output as a body", async () => {
    const { engine } = allowed()
    await engine.register(
      def({
        read: { action: 'http', params: { url: `${server}/http/bytes` } },
        send: {
          action: 'http',
          dependsOn: ['read'],
          params: {
            url: `${server}/http/echo/${token()}`,
            method: 'PUT',
            body: '${ tasks.read.output.body }',
          },
        },
      }),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.tasks.send!.output).toMatchObject({ body: { bytes: [0, 1, 2, 255] } })
  })

  it('retries a 503 no sooner than its Retry-After, with the same Idempotency-Key', async () => {
    const { engine, clock } = allowed()
    const key = token()
    const { runId } = await runTask(
      engine,
      { url: `${server}/http/flaky/${key}?fails=1&retryAfter=5`, method: 'POST', json: {} },
      { retry },
    )
    const history = await engine.history(runId)
    expect(history.find((e) => e.type === 'task.failed')).toMatchObject({
      retryAfterMs: 5_000,
      final: false,
      error: { code: 'HTTP_ERROR' },
    })
    expect(history.find((e) => e.type === 'task.retrying')).toMatchObject({ delayMs: 5_000 })
    clock.advance(4_999)
    await engine.idle()
    expect((await seen(key)).requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    clock.advance(1)
    await until(async () => (await engine.getRun(runId))!.status === 'completed')
    const view = (await engine.getRun(runId))!
    expect(view.tasks.t).toMatchObject({ attempts: 2, output: { status: 200, body: { ok: true } } })
    const posts = (await seen(key)).requests.filter((r) => r.method === 'POST')
    expect(posts.map((r) => r.idempotencyKey)).toEqual([`${runId}:t`, `${runId}:t`])
  })

  it('retries a 429 after the HTTP date of its Retry-After', async () => {
    const { engine, clock } = allowed()
    const date = new Date(clock.now() + 60_000).toUTCString()
    const url = `${server}/http/status/429/${token()}?retryAfter=${encodeURIComponent(date)}`
    const { runId } = await runTask(engine, { url }, { retry })
    const history = await engine.history(runId)
    expect(history.find((e) => e.type === 'task.retrying')).toMatchObject({ delayMs: 60_000 })
    expect(history.find((e) => e.type === 'task.failed')).toMatchObject({ error: { code: 'HTTP_ERROR' } })
  })

  it('fails a 404 at once with the status, its message free of query values', async () => {
    const { engine } = allowed()
    const { view } = await runTask(
      engine,
      { url: `${server}/http/status/404/${token()}`, query: { key: 'hidden-value' } },
      { retry },
    )
    expect(view.tasks.t).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'HTTP_ERROR' } })
    expect(view.tasks.t!.error!.message).toContain('answered 404')
    expect(view.tasks.t!.error!.message).toContain(`${server}/http/status/404/`)
    expect(JSON.stringify(await engine.history(view.runId))).not.toContain('hidden-value')
  })

  it('retries a network error (a closed port)', async () => {
    const closed = 'http://127.0.0.1:9'
    const { engine } = open({ http: { allow: [closed] } })
    const { runId, view } = await runTask(engine, { url: `${closed}/x` }, { retry })
    expect(view.tasks.t).toMatchObject({ status: 'retrying', error: { code: 'HTTP_ERROR' } })
    expect((await engine.history(runId)).some((e) => e.type === 'task.retrying')).toBe(true)
  })

  it('says CORS may be why an answer without CORS headers cannot be read', async () => {
    const { engine } = allowed()
    const { view } = await runTask(engine, { url: `${server}/http/no-cors/${token()}` })
    expect(view.tasks.t).toMatchObject({ status: 'failed', error: { code: 'HTTP_ERROR' } })
    expect(view.tasks.t!.error!.message).toContain('CORS')
  })

  it('aborts a call after params.timeoutMs on the engine clock, as a retryable TIMEOUT', async () => {
    const { engine, clock } = allowed()
    const key = token()
    await engine.register(
      def({ t: { action: 'http', params: { url: `${server}/http/slow/${key}`, timeoutMs: 2_000 }, retry } }),
    )
    const { runId } = await engine.start('wf')
    await until(async () => (await seen(key)).requests.length === 1)
    clock.advance(2_000)
    await until(async () => (await engine.getRun(runId))!.tasks.t!.status === 'retrying')
    expect((await engine.getRun(runId))!.tasks.t!.error).toMatchObject({ code: 'TIMEOUT' })
    await until(async () => (await seen(key)).closed === 1)
  })

  it('cancel aborts the request in flight', async () => {
    const { engine } = allowed()
    const key = token()
    await engine.register(def({ t: { action: 'http', params: { url: `${server}/http/slow/${key}` } } }))
    const { runId } = await engine.start('wf')
    await until(async () => (await seen(key)).requests.length === 1)
    await engine.cancel(runId)
    await until(async () => (await seen(key)).closed === 1)
    expect((await engine.getRun(runId))!.status).toBe('cancelled')
  })

  it('refuses an origin outside the allow-list before any request, never retried', async () => {
    const { engine } = open({ http: { allow: ['https://api.example.com'] } })
    const key = token()
    const { view } = await runTask(engine, { url: `${server}/http/echo/${key}`, method: 'POST' }, { retry })
    expect(view.tasks.t).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'ORIGIN_NOT_ALLOWED' },
    })
    expect(view.tasks.t!.error!.message).toContain(`http: { allow: ["${server}"] }`)
    expect((await seen(key)).requests).toEqual([])
  })

  it("allows the engine's own origin by default, and no other", async () => {
    const { engine } = open()
    const { view } = await runTask(engine, { url: `${server}/http/json` })
    expect(view.tasks.t).toMatchObject({ status: 'failed', error: { code: 'ORIGIN_NOT_ALLOWED' } })
    expect(view.tasks.t!.error!.message).toContain(`allowed: ${location.origin}`)
  })

  it('refuses, unread, an answer a redirect brought from an origin outside the allow-list', async () => {
    const { engine } = allowed()
    const elsewhere = server.replace('127.0.0.1', 'localhost')
    const to = `${elsewhere}/http/json`
    const { view } = await runTask(engine, {
      url: `${server}/http/redirect/${token()}?to=${encodeURIComponent(to)}`,
    })
    expect(view.tasks.t).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'ORIGIN_NOT_ALLOWED' },
    })
    expect(view.tasks.t!.error!.message).toContain(`redirected to ${elsewhere}`)
    expect(view.tasks.t!.output).toBeUndefined()
  })

  it('follows no redirect with a request that carries secrets: the target is never called', async () => {
    const { engine } = allowed({ secrets: { token: 'redirect-secret-1' } })
    const landing = token()
    const to = `${server}/http/echo/${landing}`
    const { view } = await runTask(engine, {
      url: `${server}/http/redirect/${token()}?to=${encodeURIComponent(to)}`,
      headers: { authorization: "Bearer ${ secret('token') }" },
    })
    expect(view.tasks.t).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'HTTP_ERROR' } })
    expect(view.tasks.t!.error!.message).toContain('carries secrets')
    // Not even an allowed target: where a redirect points is hidden from the page until it is followed.
    expect((await seen(landing)).requests).toEqual([])
  })

  it('follows a redirect that stays inside the allow-list', async () => {
    const { engine } = allowed()
    const to = `${server}/http/json`
    const { view } = await runTask(engine, {
      url: `${server}/http/redirect/${token()}?to=${encodeURIComponent(to)}`,
    })
    expect(view.tasks.t).toMatchObject({ status: 'completed', output: { body: { hello: 'world' } } })
  })

  it('refuses header names and values no request can carry at createEngine, naming each header, never its value', () => {
    const headers = {
      'x-ok': 'café',
      'bad name': 'secret-0',
      'x-line': 'top\r\nsecret-1',
      'x-nul': 'a\0secret-2',
      'x-wide': 'secret-3 ✓',
      'x-num': 5,
    }
    let error: unknown
    try {
      open({ http: { allow: [server], headers: headers as never } })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(ArgumentError)
    const { message, value } = error as ArgumentError
    for (const name of ['"bad name"', '"x-line"', '"x-nul"', '"x-wide"', '"x-num"']) {
      expect(message).toContain(name)
    }
    expect(message).not.toContain('x-ok')
    expect(`${message} ${JSON.stringify(value)}`).not.toContain('secret-')
    // Latin-1 beyond ASCII is a value a request carries.
    expect(() => open({ http: { allow: [server], headers: { 'x-ok': 'café' } } })).not.toThrow()
  })

  it('refuses bad http options at createEngine, listing every problem', () => {
    const bad = {
      allow: ['https://api.example.com/v1', 'ftp://files.example.com', 'https://a.*.com'],
      header: {},
    }
    expect(() => open({ http: bad as never })).toThrow(ArgumentError)
    try {
      open({ http: bad as never })
    } catch (error) {
      const { message } = error as ArgumentError
      expect(message).toContain('write "https://api.example.com"')
      expect(message).toContain('"ftp://files.example.com" is not an http(s) origin')
      expect(message).toContain('"https://a.*.com"')
      expect(message).toContain('unknown field "header"')
    }
  })
})
