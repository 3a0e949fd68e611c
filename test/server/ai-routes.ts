import type { IncomingMessage, ServerResponse } from 'node:http'

/*
 * A fake OpenAI-compatible server: POST /ai/<token>/v1/chat/completions answers as the model
 * named in the body behaves (below), GET /ai/<token>/log lists what it was sent. The token
 * keeps each test's counters and log apart (baseUrl `${origin}/ai/<token>/v1`).
 *
 *   fake-ok             200: "ok: <last user message>", or JSON made from the schema asked for
 *   fake-429-then-ok    429 (Retry-After: 2) on the first call of the token, then as fake-ok
 *   fake-429            always 429, Retry-After: 3
 *   fake-500            always 500
 *   fake-401            always 401 (a bad key)
 *   fake-bad-json       always "this is not {json"
 *   fake-bad-then-good  first an answer off the schema, then as fake-ok (a repair succeeds)
 *   fake-stream         a long text, as SSE chunks when stream is asked for
 *   fake-slow           answers after 10 s (or never: the client aborts)
 *   fake-stream-error   200 SSE whose only event is an error ("model overloaded"), as Ollama/vLLM send
 *   fake-ignores-stream a plain JSON completion even when stream is asked for
 *   fake-stream-cut     200 SSE that ends with no text and no finish_reason
 */

/** What the server saw of one request. */
export interface AiLogEntry {
  model: string
  authorization: string | undefined
  body: Record<string, unknown>
  /** The client went away before the answer ended (an abort). */
  aborted: boolean
}

const logs = new Map<string, AiLogEntry[]>()
const calls = new Map<string, number>()
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, authorization',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-expose-headers': 'retry-after',
}

/** The words fake-stream streams: long enough to need several progress events. */
export const STREAMED_TEXT = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ')

/** The fake provider's routes (a `Route` of routes.ts). */
export async function aiRoutes(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<boolean> {
  const match = /^\/ai\/([\w-]+)\/(v1\/chat\/completions|log)$/.exec(url.pathname)
  if (match === null) return false
  const [, token, what] = match as unknown as [string, string, string]
  for (const [name, value] of Object.entries(CORS)) response.setHeader(name, value)
  if (request.method === 'OPTIONS') {
    response.statusCode = 204
    response.end()
  } else if (what === 'log') {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify(logs.get(token) ?? []))
  } else {
    await complete(token, request, response)
  }
  return true
}

async function complete(token: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = JSON.parse(await read(request)) as Record<string, unknown>
  const model = String(body.model)
  const entry: AiLogEntry = { model, authorization: request.headers.authorization, body, aborted: false }
  logs.set(token, [...(logs.get(token) ?? []), entry])
  response.on('close', () => {
    if (!response.writableFinished) entry.aborted = true
  })
  const key = `${token}:${model}`
  const call = (calls.get(key) ?? 0) + 1
  calls.set(key, call)
  const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers })
    response.end(JSON.stringify({ error: { message } }))
  }
  if (model === 'fake-401') return fail(401, 'Incorrect API key provided')
  if (model === 'fake-500') return fail(500, 'the server fell over')
  if (model === 'fake-429' || (model === 'fake-429-then-ok' && call === 1)) {
    return fail(429, 'rate limited', { 'retry-after': model === 'fake-429' ? '3' : '2' })
  }
  if (model === 'fake-slow') {
    await new Promise((resolve) => setTimeout(resolve, 10_000))
    if (response.destroyed) return
  }
  let content = answerTo(body)
  if (model === 'fake-bad-json' || (model === 'fake-bad-then-good' && call === 1)) {
    content = model === 'fake-bad-json' ? 'this is not {json' : JSON.stringify({ sentiment: 42 })
  }
  if (model === 'fake-stream') content = STREAMED_TEXT
  if (model === 'fake-stream-error' || model === 'fake-stream-cut') {
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    const event = model === 'fake-stream-error' ? { error: { message: 'model overloaded', code: 503 } } : {}
    response.end(`data: ${JSON.stringify(event)}\n\ndata: [DONE]\n\n`)
    return
  }
  if (body.stream === true && model !== 'fake-ignores-stream') return stream(response, content)
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(
    JSON.stringify({
      id: `chatcmpl-${call}`,
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    }),
  )
}

/** JSON made from the schema asked for (response_format, or the instruction in the system prompt), else an echo. */
function answerTo(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string }[]
  const format = body.response_format as { json_schema?: { schema?: unknown } } | undefined
  const system = messages.find((m) => m.role === 'system')?.content ?? ''
  const instructed = /follows this JSON Schema: (.*)$/s.exec(system)?.[1]
  const schema =
    format?.json_schema?.schema ?? (instructed === undefined ? undefined : JSON.parse(instructed))
  if (schema !== undefined) return JSON.stringify(example(schema as Schema))
  const last = messages.filter((m) => m.role === 'user').at(-1)
  return `ok: ${last?.content ?? ''}`
}

interface Schema {
  type?: string
  enum?: unknown[]
  const?: unknown
  minimum?: number
  properties?: Record<string, Schema>
}

/** A value that satisfies the simple schemas the tests use. */
function example(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const
  if (schema.enum !== undefined) return schema.enum[0]
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, example(s)]))
    case 'array':
      return []
    case 'number':
    case 'integer':
      return schema.minimum ?? 1
    case 'boolean':
      return true
    default:
      return 'text'
  }
}

function stream(response: ServerResponse, content: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const pieces = content.match(/\S+\s*/g) ?? []
  for (const piece of pieces) {
    response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }] })}\n\n`)
  }
  response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`)
  response.write(
    `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: pieces.length } })}\n\n`,
  )
  response.end('data: [DONE]\n\n')
}

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      text += chunk
    })
    request.on('end', () => resolve(text))
    request.on('error', reject)
  })
}
