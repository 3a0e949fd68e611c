import { TaskError } from '../errors'
import { headersProblems } from '../http-headers'

/** The params `http` takes. */
export const HTTP_PARAMS = [
  'url',
  'method',
  'headers',
  'query',
  'body',
  'json',
  'timeoutMs',
  'expect',
  'responseType',
] as const

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

export type HttpMethod = (typeof HTTP_METHODS)[number]

export type ResponseType = 'json' | 'text' | 'bytes'

/** A status (`404`) or a class of them (`'2xx'`) that counts as success. */
export type ExpectedStatus = number | `${1 | 2 | 3 | 4 | 5}xx`

/** An `http` task's params, checked (values still hold `secret('name')` references). */
export interface HttpCall {
  url: string
  method: HttpMethod
  headers: Record<string, string>
  query: Record<string, QueryValue>
  body?: string | Uint8Array | ArrayBuffer
  /** Present (even when `null`) when the task sends JSON. */
  json?: unknown
  hasJson: boolean
  timeoutMs?: number
  expect: ExpectedStatus[]
  responseType?: ResponseType
}

export type QueryValue = string | number | boolean | (string | number | boolean)[]

/** True for a status or a status class `expect` may list. */
export function isExpectedStatus(value: unknown): value is ExpectedStatus {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 100 && value <= 599
  return typeof value === 'string' && /^[1-5]xx$/.test(value)
}

/** True when `status` is one `expect` lists. */
export function statusExpected(expect: readonly ExpectedStatus[], status: number): boolean {
  return expect.some((item) => (typeof item === 'number' ? item === status : item[0] === String(status)[0]))
}

/**
 * The problem with one param's value, as the end of a sentence that starts `http: params.<key>`,
 * or undefined when it is good. The same sentences as at register time
 * (src/definition/http-params.ts).
 */
function problemOf(key: string, value: unknown): string | undefined {
  switch (key) {
    case 'url':
      // Checked whole once its secrets are filled in (a reference does not parse as a URL).
      return typeof value === 'string' && (isHttpUrl(value) || value.includes('secret('))
        ? undefined
        : 'must be an absolute http(s) URL like "https://api.example.com/orders"'
    case 'method':
      return HTTP_METHODS.includes(value as HttpMethod)
        ? undefined
        : `must be one of ${HTTP_METHODS.join(', ')} (in capitals)`
    case 'headers': {
      if (!isRecord(value) || !Object.values(value).every((v) => typeof v === 'string'))
        return 'must be an object of header names to string values'
      // Names only: a value may hold a secret reference, checked once filled in (requestHeaders).
      const wrong = headersProblems(Object.fromEntries(Object.keys(value).map((name) => [name, ''])))
      return wrong.length > 0 ? `are refused: ${wrong.join('; ')}` : undefined
    }
    case 'query':
      return isRecord(value) && Object.values(value).every(isQueryValue)
        ? undefined
        : 'must be an object of names to strings, numbers, booleans or arrays of them'
    case 'body':
      return typeof value === 'string' || value instanceof Uint8Array || value instanceof ArrayBuffer
        ? undefined
        : 'must be a string or bytes (a Uint8Array); send JSON with params.json'
    case 'timeoutMs':
      return typeof value === 'number' && Number.isFinite(value) && value > 0
        ? undefined
        : 'must be a number of milliseconds > 0'
    case 'expect': {
      const list = Array.isArray(value) ? value : [value]
      return list.length > 0 && list.every(isExpectedStatus)
        ? undefined
        : 'must be a status (200…599), a class like "2xx", or a non-empty array of them'
    }
    case 'responseType':
      return value === 'json' || value === 'text' || value === 'bytes'
        ? undefined
        : 'must be "json", "text" or "bytes" (leave it out to go by the content type)'
    default:
      return undefined
  }
}

/**
 * `params` of an `http` task checked, with the defaults filled in. Throws `TaskError`
 * `INPUT_INVALID` (never retried) for the first problem.
 */
export function httpCall(params: unknown): HttpCall {
  const bad = (message: string): never => {
    throw new TaskError('INPUT_INVALID', `http: ${message}.`, { value: params })
  }
  if (!isRecord(params)) return bad('needs params { url, method?, headers?, … }')
  const unknown = Object.keys(params).find((key) => !(HTTP_PARAMS as readonly string[]).includes(key))
  if (unknown !== undefined) bad(`unknown param "${unknown}"; it takes ${HTTP_PARAMS.join(', ')}`)
  if (params.url === undefined) bad('needs params.url, the URL to call')
  for (const key of HTTP_PARAMS) {
    const value = params[key]
    if (value === undefined || key === 'json') continue
    const problem = problemOf(key, value)
    if (problem !== undefined) bad(`params.${key} ${problem}`)
  }
  const hasJson = params.json !== undefined
  if (hasJson && params.body !== undefined) bad('takes params.body or params.json, not both')
  const method = (params.method as HttpMethod | undefined) ?? 'GET'
  if ((method === 'GET' || method === 'HEAD') && (hasJson || params.body !== undefined)) {
    bad(`a ${method} request cannot have a body; use POST or PUT, or leave out params.body and params.json`)
  }
  const expect = params.expect === undefined ? ['2xx' as const] : params.expect
  return {
    url: params.url as string,
    method,
    headers: (params.headers as Record<string, string> | undefined) ?? {},
    query: (params.query as Record<string, QueryValue> | undefined) ?? {},
    ...(params.body !== undefined && { body: params.body as HttpCall['body'] }),
    ...(hasJson && { json: params.json }),
    hasJson,
    ...(params.timeoutMs !== undefined && { timeoutMs: params.timeoutMs as number }),
    expect: (Array.isArray(expect) ? expect : [expect]) as ExpectedStatus[],
    ...(params.responseType !== undefined && { responseType: params.responseType as ResponseType }),
  }
}

/** True for an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    // Not absolute (or not a URL at all): the caller's message says what to write.
    return false
  }
}

function isQueryValue(value: unknown): boolean {
  const scalar = (item: unknown) =>
    typeof item === 'string' ||
    typeof item === 'boolean' ||
    (typeof item === 'number' && Number.isFinite(item))
  return scalar(value) || (Array.isArray(value) && value.every(scalar))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
