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
      let end = buffer.indexOf('\n')
      while (end >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '')
        buffer = buffer.slice(end + 1)
        end = buffer.indexOf('\n')
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
