import { describe, expect, it } from 'vitest'
import { ai } from '../../src/actions/ai'
import { simulatedClock } from '../../src/runtime/timers'
import type { ModelSpec } from '../../src/types'
import { noNetworkOn } from '../support/builtin-context'
import { until } from '../support/engine-fixtures'
import { aiContext, fakeServer, taskFailure } from '../support/fake-models'

describe('ai: what a streamed answer is', () => {
  it('a stream that carries an error event falls through instead of answering empty text', async () => {
    const server = fakeServer()
    const specs: ModelSpec[] = [server.model('a', 'fake-stream-error'), server.model('b', 'fake-ok')]
    const out = await ai({ model: ['a', 'b'], prompt: 'hi', stream: true }, aiContext(specs))
    expect(out).toMatchObject({ text: 'ok: hi', model: 'b', degraded: true })
    const alone = await taskFailure(ai({ model: 'a', prompt: 'hi', stream: true }, aiContext(specs)))
    expect(alone).toMatchObject({ code: 'AI_FAILED', retryable: true })
    expect(alone.message).toContain('"a" server: failed mid-stream: model overloaded')
  })

  it('a stream request answered with a plain JSON completion is not taken as an empty answer', async () => {
    const server = fakeServer()
    const specs = [server.model('a', 'fake-ignores-stream')]
    const out = await ai({ model: 'a', prompt: 'hi', stream: true }, aiContext(specs))
    expect(out).toMatchObject({ text: 'ok: hi', model: 'a', degraded: false })
  })

  it('a stream that ends with no text and no finish_reason falls through', async () => {
    const server = fakeServer()
    const specs = [server.model('a', 'fake-stream-cut'), server.model('b', 'fake-ok')]
    const out = await ai({ model: ['a', 'b'], prompt: 'hi', stream: true }, aiContext(specs))
    expect(out).toMatchObject({ text: 'ok: hi', model: 'b', degraded: true })
  })
})

describe("ai: Chrome's built-in model within its time", () => {
  const hanging = {
    availability: () => new Promise<string>(() => {}),
    prompt: () => new Promise<string>(() => {}),
  }

  it('timeoutMs bounds a chrome-built-in model whose availability() never answers, on the engine clock; the list falls through', async () => {
    const server = fakeServer()
    const clock = simulatedClock()
    const http = noNetworkOn(clock)
    const specs: ModelSpec[] = [{ id: 'nano', provider: 'chrome-built-in' }, server.model('m', 'fake-ok')]
    const ctx = aiContext(specs, { models: { specs, onDevice: async () => hanging }, http })
    let settled = false
    const out = ai({ model: ['nano', 'm'], prompt: 'hi', timeoutMs: 50 }, ctx).finally(() => {
      settled = true
    })
    await until(() => clock.pending === 1)
    clock.advance(49)
    await until(() => clock.pending === 1)
    expect(settled).toBe(false)
    clock.advance(1)
    expect(await out).toMatchObject({ model: 'm', degraded: true })
    // The second model's timer was cleared when it answered.
    expect(clock.pending).toBe(0)
  })

  it("the task's signal ends a wait for the page's model (onDevice or availability)", async () => {
    for (const onDevice of [() => new Promise<never>(() => {}), async () => hanging]) {
      const specs: ModelSpec[] = [{ id: 'nano', provider: 'chrome-built-in' }]
      const controller = new AbortController()
      const out = ai(
        { model: 'nano', prompt: 'hi' },
        aiContext(specs, { models: { specs, onDevice }, signal: controller.signal }),
      )
      controller.abort(new Error('cancelled'))
      const outcome = await Promise.race([
        out.then(
          () => 'resolved',
          (error: unknown) => (error as Error).message,
        ),
        new Promise((r) => setTimeout(() => r('hangs'), 1000)),
      ])
      expect(outcome).toBe('cancelled')
    }
  })
})
