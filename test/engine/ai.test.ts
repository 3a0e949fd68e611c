import { filter } from 'rxjs'
import { isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { ArgumentError } from '../../src/errors'
import { def, testEngines, until } from '../support/engine-fixtures'
import { fakeLanguageModel, fakeServer, languageModelSlot } from '../support/fake-models'

const KEY = 'sk-engine-test-9f8e7d6c5b4a'

describe('ai through the engine', () => {
  const testEngine = testEngines()
  const page = languageModelSlot()

  it('refuses bad model specs at createEngine, never echoing a key', () => {
    const ok = { id: 'm', provider: 'openai-compatible', baseUrl: 'https://api.example.com/v1' }
    for (const [models, says] of [
      [{ id: 'm' }, '"models" must be a list'],
      [[ok, ok], 'used twice'],
      [[{ ...ok, provider: 'openai' }], 'provider must be "openai-compatible" or "chrome-built-in"'],
      [[{ ...ok, baseUrl: '/v1' }], 'absolute http(s) URL up to and including /v1'],
      [[{ ...ok, baseUrl: 'https://api.example.com/v1/chat/completions' }], 'up to and including /v1'],
      [[{ ...ok, baseUrl: 'https://api.example.com/v1?key=x' }], 'no query'],
      [[{ id: 'nano', provider: 'chrome-built-in', baseUrl: 'https://x/v1' }], 'takes no baseUrl'],
      [[{ ...ok, apiKey: KEY }], 'holds a key, not the name of a secret'],
      [[{ ...ok, apiKey: 'a key with spaces' }], 'a string of 17 characters'],
      [[{ ...ok, contextWindow: 0 }], 'contextWindow must be a whole number'],
      [[{ ...ok, costPer1M: { input: 1 } }], 'costPer1M must be { input, output }'],
      [[{ ...ok, capabilities: { json: true } }], 'capabilities must be'],
      [[{ ...ok, id: 'auto' }], 'cannot be "auto"'],
      [[{ ...ok, baseURL: 'x' }], 'unknown option "baseURL"'],
    ] as const) {
      expect(() => testEngine({ models: models as never }), says).toThrow(ArgumentError)
      expect(() => testEngine({ models: models as never }), says).toThrow(says)
    }
    // A key pasted as apiKey is refused even without a known prefix when it is a secret's value.
    const pasted = () =>
      testEngine({
        secrets: { key: 'plain-value-123' },
        models: [{ ...ok, apiKey: 'plain-value-123' } as never],
      })
    expect(pasted).toThrow('holds a key')
    try {
      testEngine({ models: [{ ...ok, apiKey: KEY } as never] })
    } catch (error) {
      expect(
        JSON.stringify({ ...(error as ArgumentError), message: (error as Error).message }),
      ).not.toContain(KEY)
    }
  })

  it('engine.models() says which models are available now, and why not', async () => {
    const server = fakeServer()
    const { engine } = testEngine({
      secrets: { openai: KEY },
      models: [
        server.model('keyed', 'fake-ok', { apiKey: 'openai', costPer1M: { input: 1, output: 2 } }),
        server.model('unkeyed', 'fake-ok', { apiKey: 'missing' }),
        { id: 'nano', provider: 'chrome-built-in' },
      ],
    })
    const before = await engine.models()
    expect(before.map(({ id, available, reason }) => ({ id, available, reason }))).toEqual([
      { id: 'keyed', available: true, reason: undefined },
      { id: 'unkeyed', available: false, reason: 'the secret "missing" its apiKey names is not set' },
      { id: 'nano', available: false, reason: expect.stringContaining('no LanguageModel here') },
    ])
    expect(before[0]).toMatchObject({ provider: 'openai-compatible', costPer1M: { input: 1, output: 2 } })
    page.set(fakeLanguageModel(() => 'x', 'downloading').api)
    expect((await engine.models())[2]).toMatchObject({
      available: false,
      reason: 'LanguageModel.availability() is "downloading"',
    })
    page.set(fakeLanguageModel(() => 'x').api)
    expect((await engine.models())[2]).toMatchObject({ available: true })
  })

  it('a 429 fails the attempt; the retry waits its Retry-After and succeeds', async () => {
    const server = fakeServer()
    const { engine, clock } = testEngine({ models: [server.model('m', 'fake-429-then-ok')] })
    await engine.register(
      def({
        ask: {
          action: 'ai',
          params: { model: 'm', prompt: 'hi' },
          retry: { maxAttempts: 3, initialDelayMs: 10 },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await until(async () => (await engine.getRun(runId))!.tasks.ask!.status === 'retrying')
    const failed = (await engine.history(runId)).find((e) => e.type === 'task.failed')
    expect(failed).toMatchObject({ retryAfterMs: 2000, error: { code: 'AI_FAILED' } })
    clock.advance(1999)
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.ask!.status).toBe('retrying')
    clock.advance(1)
    const done = await engine.wait(runId)
    expect(done.tasks.ask!.output).toMatchObject({ text: 'ok: hi', model: 'm', degraded: false })
  })

  it('a 401 fails the task at once, whatever its retry policy', async () => {
    const server = fakeServer()
    const { engine } = testEngine({
      secrets: { openai: KEY },
      models: [server.model('m', 'fake-401', { apiKey: 'openai' })],
    })
    await engine.register(
      def({ ask: { action: 'ai', params: { model: 'm', prompt: 'hi' }, retry: { maxAttempts: 5 } } }),
    )
    const { runId } = await engine.start('wf')
    const done = await engine.wait(runId)
    expect(done.status).toBe('failed')
    expect(done.tasks.ask).toMatchObject({ attempts: 1, error: { code: 'AI_FAILED' } })
    expect(await server.log()).toHaveLength(1)
  })

  it('streams partial text as task.progress notes; the key is in no event, history entry, view or snapshot', async () => {
    const server = fakeServer()
    const { engine } = testEngine({
      secrets: { openai: KEY },
      models: [
        server.model('m', 'fake-stream', { apiKey: 'openai' }),
        server.model('bad', 'fake-401', { apiKey: 'openai' }),
      ],
    })
    const events: WorkflowEvent[] = []
    const subscription = engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    await engine.register(
      def({
        ask: { action: 'ai', params: { model: 'm', prompt: 'tell', stream: true } },
        fails: { action: 'ai', params: { model: 'bad', prompt: 'x' }, onError: 'continue' },
      }),
    )
    const { runId } = await engine.start('wf')
    const done = await engine.wait(runId)
    subscription.unsubscribe()
    const notes = events.filter((e) => e.type === 'task.progress').map((e) => (e as { note?: string }).note)
    expect(notes.length).toBeGreaterThan(2)
    expect(notes.every((note) => typeof note === 'string' && done.tasks.ask!.output !== undefined)).toBe(true)
    expect((done.tasks.ask!.output as { text: string }).text.startsWith(notes.at(-1)!)).toBe(true)
    // Journaled, each note: ~850 characters streamed faster than the clock give 4 (at ~6, 210, 420, 840).
    const journaled = (await engine.history(runId)).filter((e) => e.type === 'task.progress')
    expect(journaled).toHaveLength(notes.length)
    expect(journaled.length).toBeLessThanOrEqual(4)
    expect((await server.log()).every((e) => e.authorization === `Bearer ${KEY}`)).toBe(true)
    const everything = JSON.stringify([
      events,
      await engine.history(runId),
      done,
      await engine.runSnapshot(runId),
    ])
    expect(everything).toContain('HTTP 401')
    expect(everything).not.toContain(KEY)
  })

  it('cancelling the run aborts the request in flight', async () => {
    const server = fakeServer()
    const { engine } = testEngine({ models: [server.model('slow', 'fake-slow')] })
    await engine.register(def({ ask: { action: 'ai', params: { model: 'slow', prompt: 'x' } } }))
    const { runId } = await engine.start('wf')
    await until(async () => (await server.log()).length === 1)
    await engine.cancel(runId)
    await until(async () => (await server.log())[0]!.aborted)
    expect((await engine.getRun(runId))!.status).toBe('cancelled')
  })

  it('closing the engine aborts the request in flight and leaves the run to recover', async () => {
    const server = fakeServer()
    const { engine, store } = testEngine({ models: [server.model('slow', 'fake-slow')] })
    await engine.register(def({ ask: { action: 'ai', params: { model: 'slow', prompt: 'x' } } }))
    const { runId } = await engine.start('wf')
    await until(async () => (await server.log()).length === 1)
    await engine.close()
    await until(async () => (await server.log())[0]!.aborted)
    expect((await store.getRun(runId))!.status).toBe('running')
  })

  it("an engine on the page calls the page's LanguageModel for Chrome's built-in model", async () => {
    const fake = fakeLanguageModel((input, _initial, constraint) =>
      constraint === undefined ? `local: ${input}` : JSON.stringify({ sentiment: 'neutral' }),
    )
    page.set(fake.api)
    const { engine } = testEngine({ models: [{ id: 'nano', provider: 'chrome-built-in' }] })
    const schema = { type: 'object', properties: { sentiment: { type: 'string' } }, required: ['sentiment'] }
    await engine.register(
      def({
        text: { action: 'ai', params: { model: 'auto', require: { onDevice: true }, prompt: 'hi' } },
        json: { action: 'ai', params: { model: 'nano', prompt: 'rate', output: { schema } } },
      }),
    )
    const done = await engine.wait((await engine.start('wf')).runId)
    expect(done.tasks.text!.output).toEqual({
      text: 'local: hi',
      model: 'nano',
      usage: {},
      finishReason: 'stop',
      degraded: false,
    })
    expect(done.tasks.json!.error).toBeUndefined()
    expect(done.tasks.json!.output).toMatchObject({ object: { sentiment: 'neutral' }, model: 'nano' })
    expect(fake.seen.map((s) => s.responseConstraint)).toContainEqual(schema)
  })
})
