/**
 * The `data:` payloads of a server-sent event stream, in order, up to `[DONE]` or the end of
 * the body (`data:` lines of one event are joined with newlines, as the SSE format says).
 */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  // The body ended or failed (read() threw that failure to the caller): nothing left to cancel.
  let settled = false
  // A line ends at CRLF, LF or a bare CR; a CR at the buffer's end waits: an LF may follow.
  const nextLine = (): string | undefined => {
    const end = buffer.search(/[\r\n]/)
    if (end < 0 || (buffer[end] === '\r' && end === buffer.length - 1)) return undefined
    const line = buffer.slice(0, end)
    buffer = buffer.slice(buffer.startsWith('\r\n', end) ? end + 2 : end + 1)
    return line
  }
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((error: unknown) => {
        settled = true
        throw error
      })
      if (done) {
        settled = true
        break
      }
      buffer += decoder.decode(value, { stream: true })
      for (let line = nextLine(); line !== undefined; line = nextLine()) {
        if (line === '') {
          if (data.length > 0) {
            const payload = data.join('\n')
            data = []
            if (payload === '[DONE]') return
            yield payload
          }
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''))
        }
      }
    }
    // A body may end without the newline after its last line.
    const tail = (buffer + decoder.decode()).replace(/\r$/, '')
    if (tail.startsWith('data:')) data.push(tail.slice(5).replace(/^ /, ''))
    const last = data.join('\n')
    if (last !== '' && last !== '[DONE]') yield last
  } finally {
    // Stops the body download when the consumer leaves early (an abort, `[DONE]`).
    if (!settled) await reader.cancel()
  }
}
