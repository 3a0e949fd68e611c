import type { ValidationIssue } from '../errors'
import { headersProblems } from '../http-headers'
import type { PathSegment } from './issue-path'
import { show } from './issue-path'
import { endWithGuess, isComputed, isRecord, paramIssue, renameHint } from './param-rules'

/*
 * The register-time rules of `http`'s params: the same the action applies as it runs
 * (src/actions/http-params.ts), on the literal values only.
 */

const PARAMS = ['url', 'method', 'headers', 'query', 'body', 'json', 'timeoutMs', 'expect', 'responseType']
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
/** A URL whose authority has a "user:password@" part (literal, or with secret() references in it). */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i

const scalar = (item: unknown) =>
  typeof item === 'string' || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))
const isStatus = (item: unknown) =>
  (typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599) ||
  (typeof item === 'string' && /^[1-5]xx$/.test(item))

/** Each param's rule: true when a literal value is good, and what to write when it is not. */
const RULES: Record<string, [(value: unknown) => boolean, string]> = {
  url: [isHttpUrl, 'must be an absolute http(s) URL like "https://api.example.com/orders"'],
  method: [
    (value) => METHODS.includes(value as string),
    `must be one of ${METHODS.join(', ')} (in capitals)`,
  ],
  headers: [
    (value) => isRecord(value) && Object.values(value).every((v) => typeof v === 'string'),
    'must be an object of header names to string values',
  ],
  query: [
    (value) =>
      isRecord(value) &&
      Object.values(value).every((item) => scalar(item) || (Array.isArray(item) && item.every(scalar))),
    'must be an object of names to strings, numbers, booleans or arrays of them',
  ],
  // Bytes come from another task's output, never from a literal: a literal body is a string.
  body: [
    (value) => typeof value === 'string',
    'must be a string or bytes (a Uint8Array); send JSON with params.json',
  ],
  timeoutMs: [
    (value) => typeof value === 'number' && Number.isFinite(value) && value > 0,
    'must be a number of milliseconds > 0',
  ],
  expect: [
    (value) => {
      const list = Array.isArray(value) ? value : [value]
      return list.length > 0 && list.every(isStatus)
    },
    'must be a status (200…599), a class like "2xx", or a non-empty array of them',
  ],
  responseType: [
    (value) => value === 'json' || value === 'text' || value === 'bytes',
    'must be "json", "text" or "bytes" (leave it out to go by the content type)',
  ],
}

/** `http`'s literal params: known names, good values, one body, none on GET or HEAD. */
export function checkHttpParams(
  params: Record<string, unknown>,
  at: PathSegment[],
  issues: ValidationIssue[],
) {
  for (const key of Object.keys(params)) {
    // A misspelt url is said once, by the missing url's issue.
    if (PARAMS.includes(key) || (params.url === undefined && renameHint({ [key]: true }, 'url'))) continue
    paramIssue(
      issues,
      [...at, key],
      'unknown_param',
      `http takes no param "${key}"${endWithGuess(key, PARAMS).replace(/\.$/, `; it takes ${PARAMS.join(', ')}.`)}`,
    )
  }
  if (params.url === undefined) {
    paramIssue(
      issues,
      [...at, 'url'],
      'param_required',
      `http needs params.url, the URL to call; got params ${show(params)}${renameHint(params, 'url')}.`,
    )
  }
  for (const [key, [good, rule]] of Object.entries(RULES)) {
    const value = params[key]
    if (value === undefined || isComputed(value) || good(value)) continue
    const end =
      key === 'method' || key === 'responseType'
        ? endWithGuess(value, METHODS.concat('json', 'text', 'bytes'))
        : '.'
    paramIssue(issues, [...at, key], 'param_invalid', `http: params.${key} ${rule}; got ${show(value)}${end}`)
  }
  // Names and values once the headers are name → string (else the rule above said so).
  if (RULES.headers![0](params.headers)) checkHeaders(params.headers as Record<string, unknown>, at, issues)
  if (typeof params.url === 'string' && USERINFO.test(params.url)) {
    // The value is not shown: what is before the "@" is a password.
    paramIssue(
      issues,
      [...at, 'url'],
      'param_invalid',
      'http: params.url must not hold a user name or password ("user:password@" before the host); send credentials in params.headers, like { authorization: "Basic ${ secret(\'basic\') }" }.',
    )
  }
  const sends = params.json !== undefined ? 'json' : params.body !== undefined ? 'body' : undefined
  if (params.json !== undefined && params.body !== undefined) {
    paramIssue(
      issues,
      [...at, 'json'],
      'param_invalid',
      'http takes params.body or params.json, not both: remove one.',
    )
  } else if (
    sends !== undefined &&
    (params.method === undefined || params.method === 'GET' || params.method === 'HEAD')
  ) {
    paramIssue(
      issues,
      [...at, sends],
      'param_invalid',
      `http: a ${params.method ?? 'GET'} request cannot have a body; set params.method to "POST" or "PUT", or remove params.${sends}.`,
    )
  }
}

/** The literal headers `fetch` cannot send, named (never their values, which may be secrets'). */
function checkHeaders(headers: Record<string, unknown>, at: PathSegment[], issues: ValidationIssue[]) {
  // A computed value is checked as the task runs; its header's name is checked now.
  const literal = Object.entries(headers).map(([name, value]) => [name, isComputed(value) ? '' : value])
  const wrong = headersProblems(Object.fromEntries(literal))
  if (wrong.length > 0)
    paramIssue(
      issues,
      [...at, 'headers'],
      'param_invalid',
      `http: params.headers are refused: ${wrong.join('; ')}.`,
    )
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    // Not absolute, or not a URL: the issue says what to write.
    return false
  }
}
