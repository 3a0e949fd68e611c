import { describe, expect, it } from 'vitest'
import { ai } from '../../src/actions/ai'
import type { BuiltinModels } from '../../src/actions/builtin-context'
import { languageModelAdapter } from '../../src/actions/language-model-adapter'
import { simulatedClock } from '../../src/runtime/timers'
import type { ModelSpec } from '../../src/types'
import { STREAMED_TEXT } from '../server/ai-routes'
import { handContext, noNetworkOn } from '../support/builtin-context'
import { until } from '../support/engine-fixtures'
import {
  aiContext as context,
  taskFailure as failure,
  fakeLanguageModel,
  fakeServer,
  AI_KEY as KEY,
  NO_ON_DEVICE,
} from '../support/fake-models'

const sentiment = {
  type: 'object',
  properties: {
    sentiment: { enum: ['positive', 'neutral', 'negative'] },
    score: { type: 'number', minimum: -1 },
  },
  required: ['sentiment', 'score'],
}

describe('ai', () => {
  it('answers from the model named, with the key of the secret its apiKey names', async () => {
    const server = fakeServer()
    const ctx = context([server.model('m', 'fake-ok', { apiKey: 'openai' })])
    const out = await ai(
      { model: 'm', system: 'Be brief.', prompt: 'hello', temperature: 0.2, maxOutputTokens: 50 },
      ctx,
    )
    expect(out).toEqual({
      text: 'ok: hello',
      model: 'm',
      usage: { inputTokens: 11, outputTokens: 7 },
      finishReason: 'stop',
      degraded: false,
    })
    const [sent] = await server.log()
    expect(sent!.authorization).toBe(`Bearer ${KEY}`)
    expect(sent!.body).toMatchObject({
      model: 'fake-ok',
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ],
    })
  })

  it('falls through an ordered list on 5xx and marks the answer degraded', async () => {
    const server = fakeServer()
    const logged: unknown[][] = []
    const ctx = context([server.model('a', 'fake-500'), server.model('b', 'fake-ok')], {
      log: (...parts) => logged.push(parts),
    })
    const out = await ai({ model: ['a', 'b'], prompt: 'x' }, ctx)
    expect(out).toMatchObject({ model: 'b', degraded: true })
    expect(logged).toEqual([['ai: model "a" failed (server: HTTP 500: the server fell over)']])
    expect((await server.log()).map((e) => e.model)).toEqual(['fake-500', 'fake-ok'])
  })

  it('auto picks the cheapest model that meets require', async () => {
    const server = fakeServer()
    const specs = [
      server.model('dear', 'fake-ok', {
        costPer1M: { input: 5, output: 15 },
        capabilities: { structuredOutput: true },
      }),
      server.model('cheap', 'fake-ok', { costPer1M: { input: 0.1, output: 0.4 } }),
      server.model('mid', 'fake-ok', {
        costPer1M: { input: 0.5, output: 1.5 },
        capabilities: { structuredOutput: true },
      }),
      server.model('free-unpriced', 'fake-ok', { capabilities: { structuredOutput: true } }),
    ]
    expect((await ai({ model: 'auto', prompt: 'x' }, context(specs))).model).toBe('cheap')
    const structured = await ai(
      { model: 'auto', require: { structuredOutput: true }, prompt: 'x' },
      context(specs),
    )
    expect(structured).toMatchObject({ model: 'mid', degraded: false })
  })

  it('skips the models of a list that miss minContext, and refuses when none qualifies', async () => {
    const server = fakeServer()
    const specs = [
      server.model('small', 'fake-500', { contextWindow: 4096 }),
      server.model('big', 'fake-ok', { contextWindow: 128_000 }),
    ]
    const out = await ai(
      { model: ['small', 'big'], require: { minContext: 32_000 }, prompt: 'x' },
      context(specs),
    )
    expect(out).toMatchObject({ model: 'big', degraded: false })
    expect((await server.log()).map((e) => e.model)).toEqual(['fake-ok'])
    const error = await failure(
      ai({ model: 'small', require: { minContext: 32_000 }, prompt: 'x' }, context(specs)),
    )
    expect(error).toMatchObject({ code: 'AI_FAILED', retryable: false })
    expect(error.message).toContain('"small": context window 4096 < 32000')
  })

  it('onDevice admits only on-device models: Chrome built-in through the models capability', async () => {
    const server = fakeServer()
    const fake = fakeLanguageModel((input) => `local: ${input}`)
    const models: BuiltinModels = {
      specs: [server.model('cloud', 'fake-ok'), { id: 'nano', provider: 'chrome-built-in' }],
      onDevice: async () => languageModelAdapter(fake.api),
    }
    const ctx = handContext({ models })
    const out = await ai({ model: 'auto', require: { onDevice: true }, system: 'sys', prompt: 'hi' }, ctx)
    expect(out).toEqual({
      text: 'local: hi',
      model: 'nano',
      usage: {},
      finishReason: 'stop',
      degraded: false,
    })
    expect(fake.seen).toEqual([
      {
        input: 'hi',
        initialPrompts: [{ role: 'system', content: 'sys' }],
        responseConstraint: undefined,
        destroyed: true,
      },
    ])
    expect(await server.log()).toEqual([])
  })

  it("Chrome's built-in model counts as structured output (responseConstraint) unless its spec says not", async () => {
    const server = fakeServer()
    const fake = fakeLanguageModel(() => JSON.stringify({ sentiment: 'neutral', score: 0 }))
    const specs: ModelSpec[] = [server.model('plain', 'fake-ok'), { id: 'nano', provider: 'chrome-built-in' }]
    const models: BuiltinModels = { specs, onDevice: async () => languageModelAdapter(fake.api) }
    const params = { require: { structuredOutput: true }, prompt: 'meh', output: { schema: sentiment } }
    const out = await ai({ ...params, model: ['plain', 'nano'] }, handContext({ models }))
    expect(out).toMatchObject({ model: 'nano', object: { sentiment: 'neutral', score: 0 }, degraded: false })
    expect(fake.seen[0]!.responseConstraint).toEqual(sentiment)
    const refusing = {
      specs: [{ ...specs[1]!, capabilities: { structuredOutput: false } }],
      onDevice: models.onDevice,
    }
    await expect(ai({ ...params, model: 'nano' }, handContext({ models: refusing }))).rejects.toThrow(
      'no structured output',
    )
  })

  it('an unavailable on-device model falls through to the next of the list', async () => {
    const server = fakeServer()
    const ctx = handContext({
      models: {
        specs: [{ id: 'nano', provider: 'chrome-built-in' }, server.model('cloud', 'fake-ok')],
        onDevice: NO_ON_DEVICE,
      },
    })
    expect(await ai({ model: ['nano', 'cloud'], prompt: 'x' }, ctx)).toMatchObject({
      model: 'cloud',
      degraded: true,
    })
    const downloading = fakeLanguageModel(() => 'never', 'downloadable')
    const only = handContext({
      models: {
        specs: [{ id: 'nano', provider: 'chrome-built-in' }],
        onDevice: async () => languageModelAdapter(downloading.api),
      },
    })
    const error = await failure(ai({ model: 'nano', prompt: 'x' }, only))
    expect(error.message).toContain('"nano" unavailable: LanguageModel.availability() is "downloadable"')
  })

  it('structured output: response_format for a capable model, a system instruction for the others', async () => {
    const server = fakeServer()
    const ctx = context([
      server.model('native', 'fake-ok', { capabilities: { structuredOutput: true } }),
      server.model('plain', 'fake-ok'),
    ])
    const params = { prompt: 'I love it', output: { schema: sentiment } }
    expect(await ai({ ...params, model: 'native' }, ctx)).toMatchObject({
      object: { sentiment: 'positive', score: -1 },
    })
    const plain = await ai({ ...params, model: 'plain' }, ctx)
    expect(plain).toMatchObject({ object: { sentiment: 'positive', score: -1 }, model: 'plain' })
    expect(plain.text).toBeUndefined()
    const [native, instructed] = await server.log()
    expect(native!.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema: sentiment, strict: false },
    })
    expect(instructed!.body.response_format).toBeUndefined()
    expect((instructed!.body.messages as { content: string }[])[0]!.content).toContain(
      JSON.stringify(sentiment),
    )
  })

  it('an answer off the schema is repaired once on the same model', async () => {
    const server = fakeServer()
    const ctx = context([
      server.model('m', 'fake-bad-then-good', { capabilities: { structuredOutput: true } }),
    ])
    const out = await ai({ model: 'm', prompt: 'great', output: { schema: sentiment } }, ctx)
    expect(out).toMatchObject({
      object: { sentiment: 'positive' },
      model: 'm',
      degraded: false,
      usage: { inputTokens: 22, outputTokens: 14 },
    })
    const [first, repair] = await server.log()
    expect(first!.body.messages).toEqual([{ role: 'user', content: 'great' }])
    const messages = repair!.body.messages as { role: string; content: string }[]
    expect(messages.at(-2)).toEqual({ role: 'assistant', content: '{"sentiment":42}' })
    expect(messages.at(-1)!.content).toBe(
      'Your answer does not follow the JSON Schema: /: Instance does not have required property "score"; ' +
        '/sentiment: Instance does not match any of ["positive","neutral","negative"]. Answer again with the corrected JSON only.',
    )
  })

  it('an answer that stays off the schema falls through to the next model', async () => {
    const server = fakeServer()
    const ctx = context([server.model('bad', 'fake-bad-json'), server.model('good', 'fake-ok')])
    const out = await ai({ model: ['bad', 'good'], prompt: 'x', output: { schema: sentiment } }, ctx)
    expect(out).toMatchObject({ model: 'good', degraded: true, object: { sentiment: 'positive' } })
    expect((await server.log()).map((e) => e.model)).toEqual(['fake-bad-json', 'fake-bad-json', 'fake-ok'])
  })

  it('streams: partial text as throttled progress notes, the whole text as output', async () => {
    const server = fakeServer()
    const notes: { fraction: number; note?: string }[] = []
    const ctx = context([server.model('m', 'fake-stream')], {
      progress: (fraction, note) => notes.push({ fraction, note }),
    })
    const out = await ai({ model: 'm', prompt: 'x', stream: true, maxOutputTokens: 1000 }, ctx)
    expect(out).toMatchObject({ text: STREAMED_TEXT, usage: { inputTokens: 5, outputTokens: 120 } })
    expect((await server.log())[0]!.body.stream).toBe(true)
    // 120 chunks, ~850 characters, a clock that stands still: a note each time the text doubles.
    expect(notes.length).toBeGreaterThan(2)
    expect(notes.length).toBeLessThan(10)
    for (const { note, fraction } of notes) {
      expect(STREAMED_TEXT.startsWith(note!)).toBe(true)
      expect(fraction).toBeCloseTo(note!.length / 4 / 1000)
    }
  })

  it('a model whose spec says it cannot stream answers in one piece', async () => {
    const server = fakeServer()
    const notes: unknown[] = []
    const ctx = context([server.model('m', 'fake-ok', { capabilities: { streaming: false } })], {
      progress: (_fraction, note) => notes.push(note),
    })
    expect(await ai({ model: 'm', prompt: 'x', stream: true }, ctx)).toMatchObject({ text: 'ok: x' })
    expect((await server.log())[0]!.body.stream).toBeUndefined()
    expect(notes).toEqual([])
  })

  it('a timeout falls through; the task signal aborts the request in flight', async () => {
    const server = fakeServer()
    const clock = simulatedClock()
    const ctx = context([server.model('slow', 'fake-slow'), server.model('ok', 'fake-ok')], {
      http: noNetworkOn(clock),
    })
    const timed = ai({ model: ['slow', 'ok'], prompt: 'x', timeoutMs: 20 }, ctx)
    await until(async () => (await server.log()).length === 1)
    clock.advance(20)
    expect(await timed).toMatchObject({ model: 'ok', degraded: true })
    const controller = new AbortController()
    const cancelled = ai(
      { model: 'slow', prompt: 'x' },
      context(ctx.models.specs as ModelSpec[], { signal: controller.signal }),
    )
    await until(async () => (await server.log()).length === 3)
    controller.abort(new Error('cancelled'))
    await expect(cancelled).rejects.toThrow('cancelled')
    await until(async () => (await server.log())[2]!.aborted)
  })
})
