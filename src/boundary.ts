import { InputError, type ValidationIssue } from './errors'

/**
 * Edges copy. Whatever crosses into the engine is copied once, when the engine takes it (run
 * input at `start`, signal payloads); what the engine keeps and shares is frozen (compiled
 * definitions and their static params, journal records and so the outputs, state values and
 * errors they carry, a run's input); what a user may want to change gets a copy (params an exact
 * `${ }` template reads from the run, `ctx.state.get`). So an action can never change another
 * run's data, and a subscriber or a caller can never change the journal or a run.
 */

/**
 * Freezes a plain object or array and everything plain inside it, in place, and returns it.
 * Other objects (dates, maps, typed arrays) are left as they are: run data rarely holds them and
 * `Object.freeze` refuses typed arrays. An object already frozen is taken as frozen all the way
 * down: everything this module freezes is, and a structured clone is never frozen.
 *
 * @example
 * const params = deepFreeze({ list: [1] })
 * params.list.push(2) // TypeError: Cannot add property 1, object is not extensible
 */
export function deepFreeze<T>(value: T): T {
  // Every journal record passes here: no key arrays, no calls for primitives.
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  if (Array.isArray(value)) {
    Object.freeze(value)
    for (let i = 0; i < value.length; i++) deepFreeze(value[i])
    return value
  }
  if (!isPlainContainer(value)) return value
  Object.freeze(value)
  const record = value as Record<string, unknown>
  // A plain object inherits nothing enumerable, so `for…in` walks its own keys.
  for (const key in record) {
    const item = record[key]
    if (typeof item === 'object' && item !== null) deepFreeze(item)
  }
  return value
}

/**
 * A structured clone of `value`, primitives as they are: what a user gets when the value is the
 * run's own and they may change their copy. Throws `DataCloneError` for functions and symbols,
 * as a store would.
 *
 * @example
 * const mine = copyValue(ctx.state.get('list')) // changing `mine` changes nothing in the run
 */
export function copyValue<T>(value: T): T {
  const type = typeof value
  if (value === null || (type !== 'object' && type !== 'function' && type !== 'symbol')) return value
  return structuredClone(value)
}

/**
 * The run's own, frozen copy of its input, taken at `start` (IndexedDB would clone it too, but
 * only later: until then the caller's object would be the live run's input).
 *
 * @throws InputError (`INPUT_INVALID`, `invalid_value` by key) for values that cannot be stored.
 * @example
 * const input = runInput({ orderId: 'A-17' }) // frozen; the caller's object stays theirs
 */
export function runInput(input: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  const issues: ValidationIssue[] = []
  for (const [key, value] of Object.entries(input)) {
    try {
      copy[key] = copyValue(value)
    } catch (error) {
      issues.push({
        path: key,
        code: 'invalid_value',
        message: `"${key}" cannot be stored (${error instanceof Error ? error.message : 'not cloneable'}); run input must be structured-clone-safe: plain data, no functions or class instances.`,
      })
    }
  }
  if (issues.length > 0) throw new InputError(issues, { value: issues.map((issue) => issue.path) })
  return deepFreeze(copy)
}

function isPlainContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(value)) return true
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
