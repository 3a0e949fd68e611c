import { TaskError } from '../errors'
import type { ResponseType } from './http-params'

/** What an `http` task outputs: structured-clone-safe, so the journal holds it as it is. */
export interface HttpOutput {
  status: number
  /** Lower-cased names; only those CORS lets the page read (safelisted or exposed). */
  headers: Record<string, string>
  /** Parsed JSON, a string, or a `Uint8Array` of the bytes; `null` for an empty JSON answer. */
  body: unknown
}

/** `responseType`, or the one the answer's content type calls for. */
export function responseTypeOf(response: Response, asked: ResponseType | undefined): ResponseType {
  if (asked !== undefined) return asked
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json' || type.endsWith('+json')) return 'json'
  if (type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml')) return 'text'
  return 'bytes'
}

/** Reads the answer's body as `type`. `where` names the call in messages (method, origin, path). */
export async function readBody(response: Response, type: ResponseType, where: string): Promise<unknown> {
  if (type === 'bytes') return new Uint8Array(await response.arrayBuffer())
  const text = await response.text()
  if (type === 'text') return text
  if (text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new TaskError(
      'HTTP_ERROR',
      `${where}: the answer (${response.status}) is not valid JSON; set params.responseType to "text" or "bytes" to take it as it is.`,
      { retryable: false, cause: error },
    )
  }
}

/** The answer's headers as a plain object with lower-cased names. */
export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value
  })
  return headers
}

/**
 * `Retry-After` in ms from `now`: delay-seconds or an HTTP date; undefined when absent or
 * unreadable. A date in the past gives 0.
 */
export function retryAfterMs(response: Response, now: number): number | undefined {
  const value = response.headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const time = Date.parse(value)
  return Number.isFinite(time) ? Math.max(0, time - now) : undefined
}
