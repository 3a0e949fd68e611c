import { type SpindleError, TaskError } from '../errors'
import { redactBytes } from './redact-bytes'

/** Outputs and state go to the journal, which stores structured clones: fail early and clearly. */
export function cloneable(value: unknown, what: string, taskId: string): unknown {
  if (value === undefined || value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw notCloneable(what, taskId, value)
    return value
  }
  try {
    return structuredClone(value)
  } catch (error) {
    throw notCloneable(what, taskId, value, error)
  }
}

function notCloneable(what: string, taskId: string, value: unknown, cause?: unknown): SpindleError {
  return new TaskError(
    'OUTPUT_INVALID',
    `Task "${taskId}": ${what} cannot be stored (it must be structured-clone-safe: plain data, no functions or class instances).`,
    { taskId, value: typeof value === 'function' ? '[function]' : undefined, cause },
  )
}

/**
 * `value` with `redact` applied to every string in it (keys of plain objects included) and to the
 * text in its binary data (see `redactBytes`), as a new value; anything else (a Map, a Date, a
 * Blob…) is kept as it is.
 */
export function redactValue(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact))
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return redactBytes(value, redact)
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redact(key), redactValue(item, redact)]),
  )
}

/** A value as a message shows it: JSON where it can be, else its string form. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
