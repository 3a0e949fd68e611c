import { TaskError } from '../errors'
import { headerProblem } from '../http-headers'
import type { BuiltinContext } from './builtin-context'
import { originAllowed } from './http-origins'
import { type HttpCall, httpCall, isHttpUrl, statusExpected } from './http-params'
import { type HttpOutput, headersOf, readBody, responseTypeOf, retryAfterMs } from './http-response'

/**
 * Calls `params.url` with `fetch` and outputs `{ status, headers, body }`.
 *
 * Refused before any request (never retried): bad params (`INPUT_INVALID`) and an origin outside
 * `EngineOptions.http.allow` (`ORIGIN_NOT_ALLOWED`). Retryable: no answer (network or CORS
 * failure) and 5xx or 429 outside `expect` (`HTTP_ERROR`, the next delay at least `Retry-After`),
 * `params.timeoutMs` passed (`TIMEOUT`). Any other status outside `expect` fails at once
 * (`HTTP_ERROR` with `status`). A redirect that ends outside the allow-list is refused unread; a
 * request that carries secrets follows no redirect (`HTTP_ERROR`, not retried).
 * Secrets are filled into url, query and headers just before the call and appear nowhere else:
 * messages name the method, origin and path only.
 */
export async function http(params: unknown, ctx: BuiltinContext): Promise<HttpOutput> {
  const call = httpCall(params)
  const { url, query, headers } = await ctx.secrets.reveal({
    url: call.url,
    query: call.query,
    headers: call.headers,
  })
  // Cancelled (or timed out) while the secrets were read: nothing is sent.
  if (ctx.signal.aborted) throw abortReason(ctx.signal)
  if (!isHttpUrl(url)) {
    throw new TaskError(
      'INPUT_INVALID',
      'http: params.url must be an absolute http(s) URL like "https://api.example.com/orders".',
      { value: call.url },
    )
  }
  const target = new URL(url)
  if (target.username || target.password) throw withCredentials()
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) target.searchParams.append(name, String(item))
  }
  // Bad params are refused before the origin is judged, as the ones checked before the secrets were.
  const sent = requestHeaders(ctx, call, headers)
  // Named as written, not as revealed: a secret may be part of the path or the host.
  const where = `http ${call.method} ${call.url.split(/[?#]/)[0]}`
  refuseOrigin(ctx, target.origin, where, call.url.startsWith(target.origin))
  // A redirect's target is hidden from the page until the browser has sent it the request, headers
  // included: a request that carries secrets follows none (`manual` gives an opaque answer instead).
  const carriesSecrets =
    url !== call.url ||
    JSON.stringify(query) !== JSON.stringify(call.query) ||
    JSON.stringify(headers) !== JSON.stringify(call.headers)
  const init: RequestInit = {
    method: call.method,
    headers: sent,
    ...bodyOf(call),
    redirect: carriesSecrets ? 'manual' : 'follow',
  }
  const abort = new AbortController()
  let timedOut = false
  const { timeoutMs } = call
  const stopTimer =
    timeoutMs === undefined
      ? () => {}
      : ctx.http.after(timeoutMs, () => {
          timedOut = true
          abort.abort()
        })
  const onCancel = () => abort.abort(ctx.signal.reason)
  ctx.signal.addEventListener('abort', onCancel, { once: true })
  try {
    const response = await ctx.http.fetch(target.href, { ...init, signal: abort.signal })
    return await answer(ctx, call, response, where)
  } catch (error) {
    if (timedOut) {
      throw new TaskError('TIMEOUT', `${where}: no answer within params.timeoutMs (${timeoutMs} ms).`, {
        cause: error,
      })
    }
    if (error instanceof TaskError || ctx.signal.aborted) throw error
    throw new TaskError(
      'HTTP_ERROR',
      // Not the browser's text: it may quote the URL with the secrets filled in.
      `${where}: no answer (the server is unreachable, or its answer lacks the CORS headers this page's origin needs).`,
      { cause: error },
    )
  } finally {
    stopTimer()
    ctx.signal.removeEventListener('abort', onCancel)
  }
}

/** Said without the URL: its user name and password are what must not be repeated. */
function withCredentials(): TaskError {
  return new TaskError(
    'INPUT_INVALID',
    'http: params.url must not hold a user name or password ("user:password@" before the host); send credentials in params.headers, like { authorization: "Basic ${ secret(\'basic\') }" }.',
    { retryable: false },
  )
}

/** The output of an answer, or the failure it stands for. */
async function answer(ctx: BuiltinContext, call: HttpCall, response: Response, where: string) {
  if (response.type === 'opaqueredirect') {
    throw new TaskError(
      'HTTP_ERROR',
      `${where}: answered with a redirect, which a request that carries secrets does not follow (the browser would send them on before the page could see where to); call the URL it redirects to.`,
      { retryable: false },
    )
  }
  const landed = response.url ? new URL(response.url).origin : undefined
  if (landed !== undefined && !originAllowed(ctx.http.allow, landed)) {
    // The browser followed the redirect already; what is kept from the disallowed origin is nothing.
    await response.body?.cancel()
    throw forbidden(`${where}: redirected to ${landed}, which is not allowed`, landed, ctx.http.allow)
  }
  if (!statusExpected(call.expect, response.status)) {
    await response.body?.cancel()
    const { status } = response
    const retryable = status >= 500 || status === 429
    const after = retryable ? retryAfterMs(response, ctx.now()) : undefined
    throw Object.assign(
      new TaskError(
        'HTTP_ERROR',
        `${where}: answered ${status}${response.statusText ? ` ${response.statusText}` : ''}, expected ${call.expect.join(' or ')}${retryable ? '' : ' (not retried: a retry would get the same answer)'}.`,
        { retryable, value: { status }, ...(after !== undefined && { retryAfterMs: after }) },
      ),
      { status },
    )
  }
  const body =
    call.method === 'HEAD'
      ? null
      : await readBody(response, responseTypeOf(response, call.responseType), where)
  return { status: response.status, headers: headersOf(response), body }
}

/** `shown`: whether the origin may be named (it holds no secret: it is written out in params.url). */
function refuseOrigin(ctx: BuiltinContext, origin: string, where: string, shown: boolean): void {
  if (originAllowed(ctx.http.allow, origin)) return
  const named = shown ? origin : 'https://the-origin'
  throw forbidden(
    `${where}: origin ${shown ? origin : 'of params.url'} is not allowed`,
    named,
    ctx.http.allow,
  )
}

function forbidden(what: string, origin: string, allow: readonly string[]): TaskError {
  const allowed = allow.length > 0 ? allow.join(', ') : 'none'
  return new TaskError(
    'ORIGIN_NOT_ALLOWED',
    `${what} (allowed: ${allowed}). Add it to createEngine({ http: { allow: ["${origin}"] } }), or to connectEngine(undefined, { engine: { http: { allow: ["${origin}"] } } }) for the default worker.`,
    { retryable: false, value: origin },
  )
}

/**
 * The engine's default headers, then the task's (a name in any case replaces the default), a
 * JSON content type when sending `json`, and `Idempotency-Key` on calls that change something.
 */
function requestHeaders(ctx: BuiltinContext, call: HttpCall, own: Record<string, string>): Headers {
  const headers = new Headers(ctx.http.headers)
  for (const [name, value] of Object.entries(own)) {
    // Checked again with the secrets filled in; the problem names the header, not its value.
    const problem = headerProblem(name, value)
    if (problem !== undefined)
      throw new TaskError('INPUT_INVALID', `http: params.headers: ${problem}.`, {
        retryable: false,
        value: name,
      })
    headers.set(name, value)
  }
  if (call.hasJson && !headers.has('content-type')) headers.set('content-type', 'application/json')
  const changes = call.method !== 'GET' && call.method !== 'HEAD' && call.method !== 'OPTIONS'
  if (changes && !headers.has('idempotency-key')) headers.set('idempotency-key', ctx.idempotencyKey)
  return headers
}

function bodyOf(call: HttpCall): { body?: BodyInit } {
  if (call.hasJson) {
    try {
      return { body: JSON.stringify(call.json) }
    } catch (error) {
      throw new TaskError(
        'INPUT_INVALID',
        'http: params.json cannot be written as JSON (a BigInt or a cycle).',
        {
          cause: error,
        },
      )
    }
  }
  if (call.body === undefined) return {}
  return { body: call.body as BodyInit }
}

/** Why the attempt was aborted, as what the action rejects with. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new TaskError('CANCELLED', 'http: the attempt was aborted before the call.')
}
