import { describe, expect, it } from 'vitest'
import { ai } from '../../src/actions/ai'
import {
  aiContext as context,
  taskFailure as failure,
  fakeServer,
  AI_KEY as KEY,
} from '../support/fake-models'

describe('ai failures', () => {
  it('a 429 fails retryably with its Retry-After; the next attempt succeeds', async () => {
    const server = fakeServer()
    const ctx = context([server.model('m', 'fake-429-then-ok')])
    const error = await failure(ai({ model: 'm', prompt: 'x' }, ctx))
    expect(error).toMatchObject({ code: 'AI_FAILED', retryable: true, retryAfterMs: 2000 })
    expect(await ai({ model: 'm', prompt: 'x' }, ctx)).toMatchObject({ text: 'ok: x', model: 'm' })
  })

  it('when every model fails: what each did, the longest Retry-After only when all were 429s', async () => {
    const server = fakeServer()
    const specs = [
      server.model('a', 'fake-429-then-ok'),
      server.model('b', 'fake-429'),
      server.model('c', 'fake-500'),
    ]
    const all429 = await failure(ai({ model: ['a', 'b'], prompt: 'x' }, context(specs)))
    expect(all429).toMatchObject({ retryable: true, retryAfterMs: 3000 })
    expect(all429.message).toContain('"a" rate-limited: HTTP 429: rate limited')
    const mixed = await failure(ai({ model: ['b', 'c'], prompt: 'x' }, context(specs)))
    expect(mixed).toMatchObject({ retryable: true, retryAfterMs: undefined })
    expect(mixed.message).toContain('"c" server: HTTP 500: the server fell over')
  })

  it('a 401 fails at once, not retryable, without trying the next model', async () => {
    const server = fakeServer()
    const ctx = context([server.model('a', 'fake-401', { apiKey: 'openai' }), server.model('b', 'fake-ok')])
    const error = await failure(ai({ model: ['a', 'b'], prompt: 'x' }, ctx))
    expect(error).toMatchObject({ code: 'AI_FAILED', retryable: false })
    expect(error.message).toContain('HTTP 401: Incorrect API key provided')
    expect(error.message).not.toContain(KEY)
    expect((await server.log()).map((e) => e.model)).toEqual(['fake-401'])
  })

  it('a missing secret makes the model unavailable: a permanent failure that names the secret', async () => {
    const server = fakeServer()
    const ctx = context([server.model('a', 'fake-ok', { apiKey: 'nope' })])
    const error = await failure(ai({ model: 'a', prompt: 'x' }, ctx))
    expect(error).toMatchObject({ code: 'AI_FAILED', retryable: false })
    expect(error.message).toContain('the secret "nope", which is not set')
    expect(await server.log()).toEqual([])
  })

  it('refuses bad params with INPUT_INVALID before any request', async () => {
    const server = fakeServer()
    const ctx = context([server.model('m', 'fake-ok')])
    for (const [params, says] of [
      [{ model: 'm' }, 'params.prompt is needed'],
      [{ model: 'm', prompt: 'x', messages: [] }, 'not both'],
      [{ model: 'x', prompt: 'x' }, 'no model "x"; the engine has "m"'],
      [{ model: 'm', prompt: 'x', temperature: 3 }, 'params.temperature must be a number from 0 to 2'],
      [{ model: 'm', messages: [{ role: 'bot', content: 'x' }] }, 'params.messages must be'],
      [{ model: 'm', prompt: 'x', output: { schema: 'no' } }, 'params.output must be'],
      [{ model: 'm', prompt: 'x', require: { gpu: true } }, 'require.gpu'],
      [{ model: 'm', prompt: 'x', promt: 'y' }, 'params.promt is not a param of ai'],
    ] as const) {
      const error = await failure(ai(params, ctx))
      expect(error.code).toBe('INPUT_INVALID')
      expect(error.message).toContain(says)
    }
    expect(await server.log()).toEqual([])
  })
})
