import { describe, expect, it } from 'vitest'
import { sseData } from '../../src/actions/sse-data'

/** A body that arrives in the given pieces (split anywhere, even inside a character). */
function body(pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces)
        controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece)
      controller.close()
    },
  })
}

async function all(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const out: string[] = []
  for await (const data of sseData(stream)) out.push(data)
  return out
}

describe('sseData', () => {
  it('gives each event’s data across chunk boundaries, CRLF lines and split characters, up to [DONE]', async () => {
    const euro = new TextEncoder().encode('€')
    const pieces = [
      'data: {"a"',
      ':1}\r\n\r',
      '\n: a comment\nevent: x\ndata: one\ndata:two\n\ndata: ',
      euro.slice(0, 2),
      euro.slice(2),
      '\n\n',
    ]
    expect(await all(body([...pieces, 'data: [DONE]\n\ndata: after\n\n']))).toEqual([
      '{"a":1}',
      'one\ntwo',
      '€',
    ])
  })

  it('ends a line at a bare carriage return too, as the format allows', async () => {
    expect(await all(body(['data: one\r\rdata: two\r', '\r', 'data: three\r\n\r\n']))).toEqual([
      'one',
      'two',
      'three',
    ])
  })

  it('gives the last event of a body that ends without a blank line', async () => {
    expect(await all(body(['data: last']))).toEqual(['last'])
  })

  it('cancels the body when the reader leaves early, and passes a failing body’s error on', async () => {
    let cancelled = false
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const data of sseData(endless)) {
      expect(data).toBe('x')
      break
    }
    expect(cancelled).toBe(true)
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(new Error('connection reset'))
      },
    })
    await expect(all(failing)).rejects.toThrow('connection reset')
  })
})
