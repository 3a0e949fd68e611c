import { ExpressionError } from '../errors'

/**
 * Turns a CEL result into plain JavaScript: CEL ints (BigInt) become numbers, deeply, inside
 * arrays and plain objects. Everything else (strings, doubles, bytes, timestamps) is kept.
 * Containers without an int inside are returned as they are, not copied.
 *
 * @throws ExpressionError when an int lies outside ±(2^53 − 1), where a number would round.
 * @example
 * fromCel({ total: 3n, lines: [1n, 2.5] }, 'expr') // { total: 3, lines: [1, 2.5] }
 */
export function fromCel(value: unknown, source: string): unknown {
  return convert(value, source, new Map())
}

function convert(value: unknown, source: string, seen: Map<object, unknown>): unknown {
  if (typeof value === 'bigint') return toNumber(value, source)
  if (typeof value !== 'object' || value === null) return value
  const done = seen.get(value)
  if (done !== undefined) return done
  if (Array.isArray(value)) {
    seen.set(value, value)
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      const next = convert(item, source, seen)
      if (next !== item && out === undefined) out = value.slice(0, i)
      out?.push(next)
    }
    if (out === undefined) return value
    seen.set(value, out)
    return out
  }
  if (value instanceof Map) {
    // A Map is how `toCel` passed an object with a `constructor` key; it leaves as that object.
    const copy: Record<string, unknown> = {}
    seen.set(value, copy)
    for (const [key, item] of value)
      Object.defineProperty(copy, String(key), entry(convert(item, source, seen)))
    return copy
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  seen.set(value, value)
  let out: [string, unknown][] | undefined
  const entries = Object.entries(value)
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i]!
    const next = convert(item, source, seen)
    if (next !== item && out === undefined) out = entries.slice(0, i)
    out?.push([key, next])
  }
  if (out === undefined) return value
  const copy = Object.fromEntries(out)
  seen.set(value, copy)
  return copy
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER)
const MIN = BigInt(Number.MIN_SAFE_INTEGER)

function toNumber(value: bigint, source: string): number {
  if (value <= MAX && value >= MIN) return Number(value)
  throw new ExpressionError(
    source,
    `Expression ${JSON.stringify(source)} produced the integer ${value}, outside the range JavaScript numbers hold exactly (±9007199254740991). Compute it as a double (write 1.0 instead of 1) or as a string.`,
  )
}

function entry(value: unknown): PropertyDescriptor {
  return { value, writable: true, enumerable: true, configurable: true }
}

/**
 * Prepares plain data for CEL: cel-js decides what a value is by reading its `constructor`, so an
 * object with its own `constructor` key (`{ name, constructor: 'acme' }`, valid JSON) reads as an
 * unsupported type. Such objects become Maps, which CEL reads as maps with the same keys.
 * Returns the value itself when nothing needed converting, and copies only along the way to what
 * did.
 *
 * @example
 * toCel({ a: { constructor: 'x' } }) // { a: Map { 'constructor' => 'x' } }
 */
export function toCel(value: unknown): unknown {
  return prepare(value, new Map())
}

function prepare(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value
  const done = seen.get(value)
  if (done !== undefined) return done
  seen.set(value, value)
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const next = prepare(value[i], seen)
      if (next !== value[i] && out === undefined) out = value.slice(0, i)
      out?.push(next)
    }
    if (out !== undefined) seen.set(value, out)
    return out ?? value
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const entries = Object.entries(value)
  const keyed = Object.hasOwn(value, 'constructor')
  let changed = keyed
  const next = entries.map(([key, item]) => {
    const prepared = prepare(item, seen)
    if (prepared !== item) changed = true
    return [key, prepared] as const
  })
  if (!changed) return value
  const out = keyed ? new Map(next) : Object.fromEntries(next)
  seen.set(value, out)
  return out
}
