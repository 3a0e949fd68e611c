import type { IncomingMessage, ServerResponse } from 'node:http'

/** What the server saw under one token: every request (preflights included) and the aborted ones. */
interface Seen {
  /** `url` is the request's path and query as the client sent them. */
  requests: { method: string; url: string; idempotencyKey?: string }[]
  closed: number
}

const seen = new Map<string, Seen>()

function seenOf(token: string): Seen {
  let entry = seen.get(token)
  if (!entry) {
    entry = { requests: [], closed: 0 }
    seen.set(token, entry)
  }
  return entry
}

function cors(response: ServerResponse): void {
  response.setHeader('access-control-allow-origin', '*')
  response.setHeader('access-control-expose-headers', 'x-answer, retry-after')
}

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array): true {
  cors(response)
  response.statusCode = status
  response.setHeader('content-type', type)
  response.end(body)
  return true
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * The routes of the `http` tests, all under `/http/`; `<token>` keeps each test's counts apart.
 *   /http/json, /http/text, /http/bytes, /http/empty-json   fixed answers of each body type
 *   /http/echo/<token>                                        the request as JSON (method, headers, query, body)
 *   /http/status/<code>/<token>?retryAfter=<value>            that status (and Retry-After) on every request
 *   /http/flaky/<token>?fails=<n>&retryAfter=<value>          503 (with Retry-After) n times, then 200
 *   /http/slow/<token>                                        never answers; counts the requests the client aborts
 *   /http/hang-once/<token>                                   the first request never answers, later ones get 200
 *   /http/redirect/<token>?to=<url>                           302 to `to`
 *   /http/no-cors/<token>                                     200 without CORS headers
 *   /http/seen/<token>                                        { requests, closed } seen under the token
 */
export async function httpRoute(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<boolean> {
  const [root, kind, ...rest] = url.pathname.split('/').filter(Boolean)
  if (root !== 'http' || kind === undefined) return false
  const token = rest[rest.length - 1] ?? ''
  if (kind !== 'seen' && token) {
    const key = request.headers['idempotency-key']
    seenOf(token).requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      ...(typeof key === 'string' && { idempotencyKey: key }),
    })
  }
  if (request.method === 'OPTIONS') {
    cors(response)
    response.setHeader('access-control-allow-methods', '*')
    response.setHeader('access-control-allow-headers', '*')
    response.statusCode = 204
    response.end()
    return true
  }
  switch (kind) {
    case 'json':
      return send(response, 200, 'application/json; charset=utf-8', JSON.stringify({ hello: 'world' }))
    case 'text':
      response.setHeader('x-answer', 'text')
      return send(response, 200, 'text/plain', 'plain words')
    case 'bytes':
      return send(response, 200, 'application/octet-stream', new Uint8Array([0, 1, 2, 255]))
    case 'empty-json':
      return send(response, 200, 'application/json', '')
    case 'echo': {
      const body = await bodyOf(request)
      const echo = {
        method: request.method,
        headers: request.headers,
        query: [...url.searchParams.entries()],
        body: body.toString('utf8'),
        bytes: [...body],
      }
      return send(response, 200, 'application/json', JSON.stringify(echo))
    }
    case 'status': {
      const retryAfter = url.searchParams.get('retryAfter')
      if (retryAfter !== null) response.setHeader('retry-after', retryAfter)
      return send(response, Number(rest[0]), 'text/plain', `status ${rest[0]}`)
    }
    case 'flaky': {
      const fails = Number(url.searchParams.get('fails') ?? '1')
      const answered = seenOf(token).requests.filter((r) => r.method !== 'OPTIONS').length
      if (answered <= fails) {
        response.setHeader('retry-after', url.searchParams.get('retryAfter') ?? '0')
        return send(response, 503, 'text/plain', 'busy')
      }
      return send(response, 200, 'application/json', JSON.stringify({ ok: true, after: answered }))
    }
    case 'hang-once': {
      const calls = seenOf(token).requests.filter((r) => r.method !== 'OPTIONS').length
      if (calls > 1) return send(response, 200, 'application/json', JSON.stringify({ call: calls }))
      request.on('close', () => {
        if (!response.writableEnded) seenOf(token).closed += 1
      })
      return true
    }
    case 'slow':
      request.on('close', () => {
        if (!response.writableEnded) seenOf(token).closed += 1
      })
      return true
    case 'redirect':
      cors(response)
      response.statusCode = 302
      response.setHeader('location', url.searchParams.get('to') ?? '/')
      response.end()
      return true
    case 'no-cors':
      response.setHeader('content-type', 'text/plain')
      response.end('no cors')
      return true
    case 'seen':
      return send(
        response,
        200,
        'application/json',
        JSON.stringify(seen.get(token) ?? { requests: [], closed: 0 }),
      )
    default:
      return false
  }
}
