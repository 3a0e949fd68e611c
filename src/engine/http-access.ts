import type { HttpAccess } from '../actions/builtin-context'
import { allowEntryProblem } from '../actions/http-origins'
import { ArgumentError } from '../errors'
import { headersProblems } from '../http-headers'
import type { Clock } from '../types'
import type { HttpOptions } from './engine-types'

const HTTP_FIELDS = ['allow', 'headers']

/**
 * `createEngine`'s `http` option checked: an `ArgumentError` that lists every problem (unknown
 * fields, entries of `allow` that are not origins, headers `fetch` cannot send), naming each bad
 * header, never its value.
 */
export function checkHttpOptions(http: unknown): asserts http is HttpOptions | undefined {
  if (http === undefined) return
  const problems: string[] = []
  if (typeof http !== 'object' || http === null || Array.isArray(http)) {
    problems.push('it must be an object { allow?: string[], headers?: Record<string, string> }')
  } else {
    const { allow, headers } = http as Record<string, unknown>
    for (const key of Object.keys(http)) {
      if (!HTTP_FIELDS.includes(key)) problems.push(`unknown field "${key}" (it takes allow and headers)`)
    }
    if (allow !== undefined && !Array.isArray(allow)) {
      problems.push('allow must be an array of origins like ["https://api.example.com"]')
    }
    for (const entry of Array.isArray(allow) ? allow : []) {
      const problem = allowEntryProblem(entry)
      if (problem !== undefined) problems.push(`allow: ${problem}`)
    }
    if (headers !== undefined) {
      if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
        problems.push('headers must be an object of header names to string values')
      else
        for (const problem of headersProblems(headers as Record<string, unknown>))
          problems.push(`headers: ${problem}`)
    }
  }
  if (problems.length === 0) return
  throw new ArgumentError(`createEngine: "http" is not right: ${problems.join('; ')}.`, {
    value: unshown(http),
  })
}

/** `http` with its header values hidden: one may be a secret. */
function unshown(http: unknown): unknown {
  const headers = (http as { headers?: unknown } | null)?.headers
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return http
  return { ...(http as object), headers: Object.fromEntries(Object.keys(headers).map((name) => [name, '…'])) }
}

/**
 * The `http` capability of an engine from its checked options: the allow-list (default: the
 * engine's own origin, when it has one), the default headers, the global `fetch`, and timers
 * on the engine's clock.
 */
export function httpAccess(http: HttpOptions | undefined, clock: Clock): HttpAccess {
  const own = globalThis.location?.origin
  const allow = http?.allow ?? (own && own !== 'null' ? [own] : [])
  return {
    allow: Object.freeze([...allow]),
    headers: Object.freeze({ ...http?.headers }),
    fetch: (url, init) => globalThis.fetch(url, init),
    after: (ms, callback) => {
      const handle = clock.setTimeout(callback, ms)
      return () => clock.clearTimeout(handle)
    },
  }
}
