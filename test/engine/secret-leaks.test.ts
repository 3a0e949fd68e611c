import { ArgumentError } from 'spindle'
import { describe, expect, inject, it } from 'vitest'
import { def, testEngines } from '../support/engine-fixtures'

const SECRET = 'my long secret'

/** Every way the value could be written in stored text, and the history, view and events as text. */
function leaks(text: string, value: string): string[] {
  const forms = [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ]
  return forms.filter((form) => text.includes(form))
}

describe('secrets in the corners redaction missed', () => {
  const open = testEngines()
  const server = inject('testServer')

  it('an http URL with a user name or password is refused at register, naming none of its values', async () => {
    const { engine } = open({ http: { allow: [server] }, secrets: { k: SECRET } })
    const url = `${server.replace('http://', 'http://user:pw@')}/http/json`
    const refused = await engine
      .register(def({ t: { action: 'http', params: { url, query: { k: "${ secret('k') }" } } } }))
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      )
    expect(refused?.name).toBe('DefinitionError')
    expect(refused?.message).toContain('user name or password')
    // The error's value is the definition the caller passed; what it says holds none of the URL's values.
    const { message, issues } = refused as Error & { issues: unknown }
    expect(JSON.stringify({ message, issues })).not.toContain('pw@')
    expect(await engine.listDefinitions()).toEqual([])
  })

  it('a computed http URL with a user name or password fails before any request, the values said nowhere', async () => {
    const events: unknown[] = []
    const { engine } = open({
      http: { allow: [server] },
      secrets: { k: SECRET },
      defaults: { retry: { maxAttempts: 1 } },
    })
    engine.events$.subscribe((event) => events.push(event))
    const token = crypto.randomUUID()
    await engine.register(
      def(
        { t: { action: 'http', params: { url: '${ input.url }', query: { k: "${ secret('k') }" } } } },
        { id: 'creds', params: { url: { type: 'string' } } },
      ),
    )
    const url = `${server.replace('http://', 'http://user:pw@')}/http/echo/${token}`
    const { runId } = await engine.start('creds', { url })
    const view = await engine.wait(runId).catch(() => engine.getRun(runId))
    expect(view!.status).toBe('failed')
    expect(view!.tasks.t!.error).toMatchObject({ code: 'INPUT_INVALID' })
    expect(view!.tasks.t!.error!.message).toContain('user name or password')
    // Not retryable: the same URL would be refused again.
    const history = await engine.history(runId)
    expect(history.find((event) => event.type === 'task.failed')).toMatchObject({ noRetry: true })
    const seen = await (await fetch(`${server}/http/seen/${token}`)).json()
    expect(seen.requests).toEqual([])
    const text = JSON.stringify({ view, events, history })
    expect(leaks(text, SECRET)).toEqual([])
    expect(view!.tasks.t!.error!.message).not.toContain('pw@')
  })

  it('an http answer read as bytes has an echoed secret blanked out of it', async () => {
    const { engine } = open({ http: { allow: [server] }, secrets: { k: SECRET } })
    const token = crypto.randomUUID()
    await engine.register(
      def({
        t: {
          action: 'http',
          params: {
            url: `${server}/http/echo/${token}`,
            headers: { 'x-key': "${ secret('k') }" },
            responseType: 'bytes',
          },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    const view = await engine.wait(runId)
    const body = (view.tasks.t!.output as { body: Uint8Array }).body
    expect(body).toBeInstanceOf(Uint8Array)
    const text = new TextDecoder().decode(body)
    expect(JSON.parse(text).headers['x-key']).toBe('[secret:k]')
    const history = await engine.history(runId)
    const stored = history.map((event) => ('output' in event ? event.output : undefined))
    const bytes = stored.map((output) => (output as { body?: Uint8Array } | undefined)?.body)
    for (const item of bytes.filter((b) => b instanceof Uint8Array)) {
      expect(leaks(new TextDecoder().decode(item), SECRET)).toEqual([])
    }
  })

  it('bytes that are not UTF-8 text have the UTF-8 bytes of a secret replaced', async () => {
    const { engine } = open({
      secrets: { k: SECRET },
      actions: {
        raw: async (_params: unknown, ctx) => {
          const secret = new TextEncoder().encode((await ctx.secrets.get('k'))!)
          const bytes = new Uint8Array([0xff, 0xfe, ...secret, 0x00, 0xff])
          return { bytes, buffer: bytes.buffer.slice(0), view: new DataView(bytes.buffer.slice(0)) }
        },
      },
    })
    await engine.register(def({ t: { action: 'raw' } }))
    const { runId } = await engine.start('wf')
    const view = await engine.wait(runId)
    const output = view.tasks.t!.output as { bytes: Uint8Array; buffer: ArrayBuffer; view: DataView }
    const expected = [0xff, 0xfe, ...new TextEncoder().encode('[secret:k]'), 0x00, 0xff]
    expect(output.bytes).toBeInstanceOf(Uint8Array)
    expect([...output.bytes]).toEqual(expected)
    expect(output.buffer).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(output.buffer)]).toEqual(expected)
    expect(output.view).toBeInstanceOf(DataView)
    expect([...new Uint8Array(output.view.buffer)]).toEqual(expected)
  })

  it("createEngine's refusal of a model URL with a password or query says neither", () => {
    const key = 'abcd-secret-1234'
    for (const baseUrl of [
      `https://user:${key}@api.example.com/v1`,
      `https://api.example.com/v1?key=${key}`,
    ]) {
      const models = [{ id: 'm', provider: 'openai-compatible' as const, baseUrl, apiKey: 'k' }]
      let refused: unknown
      try {
        open({ secrets: { k: key }, models })
      } catch (error) {
        refused = error
      }
      expect(refused).toBeInstanceOf(ArgumentError)
      expect((refused as ArgumentError).message).toContain('with a query or credentials (not shown)')
      expect(JSON.stringify(refused)).not.toContain(key)
    }
  })

  it("an action error's code is blanked out like its message", async () => {
    const { engine } = open({
      secrets: { k: SECRET },
      defaults: { retry: { maxAttempts: 1 } },
      actions: {
        bad: async (_params: unknown, ctx) => {
          const token = (await ctx.secrets.get('k'))!
          throw Object.assign(new Error('rejected'), { code: `BAD_${token}` })
        },
      },
    })
    await engine.register(def({ t: { action: 'bad' } }))
    const { runId } = await engine.start('wf')
    const view = await engine.wait(runId).catch(() => engine.getRun(runId))
    expect(view!.tasks.t!.error).toMatchObject({ code: 'BAD_[secret:k]', message: 'rejected' })
    const text = JSON.stringify({ view, history: await engine.history(runId) })
    expect(leaks(text, SECRET)).toEqual([])
  })

  it('a ctx.state key is blanked out like its value', async () => {
    const { engine } = open({
      secrets: { k: SECRET },
      actions: {
        note: async (_params: unknown, ctx) => {
          const token = (await ctx.secrets.get('k'))!
          ctx.state.set(`seen-${token}`, true)
          return 'noted'
        },
      },
    })
    await engine.register(def({ t: { action: 'note' } }))
    const { runId } = await engine.start('wf')
    const view = await engine.wait(runId)
    expect(view.state).toEqual({ 'seen-[secret:k]': true })
    const text = JSON.stringify({ view, history: await engine.history(runId) })
    expect(leaks(text, SECRET)).toEqual([])
  })
})
