import { describe, expect, it } from 'vitest'
import { ai } from '../../src/actions/ai'
import type { ModelSpec } from '../../src/types'
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
