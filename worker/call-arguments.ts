import { ArgumentError } from '../src/errors'

/** Nesting of objects, arrays, maps and sets in one argument; the argument itself is level 1. */
export const MAX_ARGUMENT_DEPTH = 100
/** All arguments of one call: strings count a byte per character, binary data its bytes, other values 8. */
export const MAX_ARGUMENT_BYTES = 32 * 1024 * 1024

interface Visit {
  value: unknown
  depth: number
  parent: Visit | undefined
  key: string
}

/**
 * Checks the arguments of a call to the worker before they leave the page, so that what the
 * structured clone would fail on (or take forever over) becomes an `ArgumentError` naming the
 * argument and the path: nesting deeper than {@link MAX_ARGUMENT_DEPTH} (the clone overflows the
 * stack), more than {@link MAX_ARGUMENT_BYTES}, functions, symbols, getters that throw, and
 * objects the clone refuses (a `DataCloneError` once sent is turned into the same error).
 * Walks without recursion; cycles are fine, as they are for the clone.
 */
export function checkCallArguments(method: string, args: readonly unknown[]): void {
  const seen = new Set<object>()
  const pending: Visit[] = args.map((value, index) => ({
    value,
    depth: 1,
    parent: undefined,
    key: `argument ${index + 1}`,
  }))
  let bytes = 0
  const refuse = (visit: Visit, problem: string, cause?: unknown): never => {
    throw new ArgumentError(
      `${method}(): ${pathOf(visit)} ${problem}. Pass plain data (objects, arrays, strings, numbers, ` +
        'booleans, null, Date, Map, Set, typed arrays) of a sensible size; actions are registered in ' +
        'the worker by name, never passed as functions.',
      { value: visit.value, cause },
    )
  }
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const { value } = visit
    if (typeof value === 'string') bytes += value.length
    else if (typeof value === 'function') refuse(visit, 'is a function')
    else if (typeof value === 'symbol') refuse(visit, 'is a symbol')
    else if (typeof value !== 'object' || value === null) bytes += 8
    else if (!seen.has(value)) {
      seen.add(value)
      if (visit.depth > MAX_ARGUMENT_DEPTH)
        refuse(visit, `is nested deeper than ${MAX_ARGUMENT_DEPTH} levels`)
      bytes += ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? value.byteLength : 8
      for (const [key, child] of childrenOf(visit, refuse)) {
        pending.push({ value: child, depth: visit.depth + 1, parent: visit, key })
      }
    }
    if (bytes > MAX_ARGUMENT_BYTES) {
      refuse(visit, `makes the arguments larger than ${MAX_ARGUMENT_BYTES / 1024 / 1024} MB`)
    }
  }
}

type Refuse = (visit: Visit, problem: string, cause?: unknown) => never

/** What the structured clone copies of an object, as [path piece, value]. */
function childrenOf(visit: Visit, refuse: Refuse): [string, unknown][] {
  const value = visit.value as object
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return []
  if (value instanceof Date || value instanceof RegExp || value instanceof Blob) return []
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
    return refuse(visit, `is a ${value.constructor.name}, which cannot be copied to the worker`)
  }
  if (value instanceof Map) {
    return [...value].flatMap(([key, entry], index): [string, unknown][] => [
      [`<key ${index}>`, key],
      [`.get(${index})`, entry],
    ])
  }
  if (value instanceof Set)
    return [...value].map((entry, index): [string, unknown] => [`<entry ${index}>`, entry])
  const children: [string, unknown][] = []
  for (const key of Object.keys(value)) {
    let child: unknown
    try {
      child = (value as Record<string, unknown>)[key]
    } catch (error) {
      refuse(
        { value, depth: visit.depth + 1, parent: visit, key: piece(value, key) },
        `cannot be read: ${String(error)}`,
        error,
      )
    }
    children.push([piece(value, key), child])
  }
  return children
}

function piece(value: object, key: string): string {
  return Array.isArray(value)
    ? `[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `.${key}`
      : `[${JSON.stringify(key)}]`
}

/** `argument 2 at .nested.onDone`, cut short in the middle when very deep. */
function pathOf(visit: Visit): string {
  const pieces: string[] = []
  for (let at: Visit | undefined = visit; at !== undefined; at = at.parent) pieces.push(at.key)
  const [argument, ...path] = pieces.reverse()
  if (path.length === 0) return `${argument}`
  const shown = path.length > 12 ? [...path.slice(0, 6), '…', ...path.slice(-6)] : path
  return `${argument} at ${shown.join('')}`
}
