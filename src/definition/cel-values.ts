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
