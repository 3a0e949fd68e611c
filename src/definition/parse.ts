import type { ValidationIssue } from '../errors'
import { issueAt, type PathSegment, show } from './issue-path'
import { readYaml } from './read-yaml'

/**
 * Limits a definition must stay within. They bound the work (and memory) one untrusted
 * definition can cost before anything looks at its meaning.
 */
export const DEFINITION_LIMITS = Object.freeze({
  /** Characters of JSON or YAML text. An object source is measured as the JSON it would serialize to. */
  maxSourceLength: 5 * 1024 * 1024,
  /** Nesting of objects and arrays; the definition object itself is level 1. */
  maxDepth: 32,
  /** Tasks (or 1.0 steps) in one definition. */
  maxTasks: 10_000,
  /** Characters of one CEL expression (a `when`, `forEach`, `output`, or one `${ }` piece). */
  maxExpressionLength: 8192,
  /** Issues reported for one definition; the rest are counted in a last issue. */
  maxIssues: 1000,
})

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export type ParseResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; issues: ValidationIssue[] }

/**
 * Reads an untrusted definition: JSON or YAML text, or a plain object. Returns a deep plain copy
 * that contains only JSON values, or the list of problems. Nothing in the input is ever
 * evaluated: no getters are called, no reviver, no prototype lookups.
 *
 * @example
 * const parsed = parseDefinition('{"schemaVersion":"2.0","id":"a","version":"1.0.0","tasks":{}}')
 * if (parsed.ok) parsed.value.id // 'a'
 */
export function parseDefinition(raw: unknown): ParseResult {
  let source: unknown = raw
  if (typeof raw === 'string') {
    if (raw.length > DEFINITION_LIMITS.maxSourceLength) {
      return fail(
        'too_large',
        `The definition is ${raw.length} characters of text; the limit is ${DEFINITION_LIMITS.maxSourceLength}. Split it into sub-workflows.`,
      )
    }
    if (looksLikeJson(raw)) {
      try {
        source = JSON.parse(raw)
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        if (error instanceof RangeError) {
          return fail('too_deep', `The JSON nests too deeply to read (${reason}).`)
        }
        return fail('not_json', `The definition is not valid JSON: ${reason}. Fix the JSON syntax.`)
      }
    } else {
      const yaml = readYaml(raw)
      if (!yaml.ok) return yaml
      source = yaml.value
    }
  }
  try {
    if (!isPlainObject(source)) {
      return fail(
        'invalid_value',
        `A workflow definition is a JSON object (or its JSON text); received ${describe(source)}.`,
      )
    }
  } catch (error) {
    return { ok: false, issues: [unreadable([], error)] }
  }
  const copier = new PlainCopier()
  const value = copier.copy(source, [], 1) as Record<string, unknown>
  return copier.issues.length > 0 ? { ok: false, issues: copier.issues } : { ok: true, value }
}

/** JSON text starts with `{` (a definition) or `[`; anything else is read as YAML. */
function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0]
  return first === '{' || first === '['
}

/**
 * A value whose reading threw: a Proxy with a throwing trap, a revoked Proxy, a prototype with a
 * throwing getter. What it threw may be hostile too, so it is described without trusting it.
 */
function unreadable(path: PathSegment[], error: unknown): ValidationIssue {
  let reason: string
  try {
    reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  } catch {
    reason = 'a value that cannot be shown'
  }
  return issueAt(
    path,
    'unreadable',
    `Reading this value threw (${show(reason, 80)}); definitions are plain data, so pass a plain object (for example JSON.parse(JSON.stringify(value)), or the JSON text).`,
  )
}

function fail(code: string, message: string): ParseResult {
  return { ok: false, issues: [{ path: '', code, message }] }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') {
    const name = Object.getPrototypeOf(value)?.constructor?.name
    return typeof name === 'string' && name ? `a ${name}` : 'a non-plain object'
  }
  if (typeof value === 'number') return `the number ${value}`
  if (typeof value === 'bigint') return `the bigint ${value}n`
  if (typeof value === 'string') return `the string ${show(value, 40)}`
  return `a ${typeof value}`
}

/** Copies JSON values depth-first, measuring the JSON size as it goes. */
class PlainCopier {
  readonly issues: ValidationIssue[] = []
  #size = 0
  #aborted = false
  readonly #ancestors = new Set<object>()

  copy(value: unknown, path: PathSegment[], depth: number): unknown {
    if (this.#aborted) return undefined
    switch (typeof value) {
      case 'string':
        return this.#count(value.length + 2) ? value : undefined
      case 'boolean':
        return this.#count(5) ? value : undefined
      case 'number':
        if (!Number.isFinite(value)) {
          return this.#reject(path, `${value} is not a JSON number; use a finite number or a string.`)
        }
        return this.#count(String(value).length) ? value : undefined
      case 'object':
        if (value === null) return this.#count(4) ? null : undefined
        try {
          return this.#copyObject(value, path, depth)
        } catch (error) {
          this.issues.push(unreadable(path, error))
          return undefined
        }
      case 'undefined':
        return this.#reject(path, 'undefined is not a JSON value; use null or leave the entry out.')
      default:
        return this.#reject(
          path,
          `${describe(value)} is not a JSON value: definitions are data, never code. Use a string, number, boolean, null, array or object.`,
        )
    }
  }

  #copyObject(value: object, path: PathSegment[], depth: number): unknown {
    if (depth > DEFINITION_LIMITS.maxDepth) {
      this.issues.push(
        issueAt(
          path,
          'too_deep',
          `Nesting deeper than ${DEFINITION_LIMITS.maxDepth} levels; flatten this value.`,
        ),
      )
      return undefined
    }
    if (this.#ancestors.has(value)) {
      return this.#reject(path, 'A circular reference cannot be written as JSON; remove the cycle.')
    }
    const isArray = Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype
    if (!isArray && !isPlainObject(value)) {
      return this.#reject(
        path,
        `${describe(value)} is not plain JSON data; convert it (a Date to an ISO string, a Map to an object).`,
      )
    }
    if (depth === 2 && path.length === 1 && !this.#withinTaskLimit(value, path[0])) return undefined
    this.#ancestors.add(value)
    try {
      return isArray ? this.#copyArray(value as unknown[], path, depth) : this.#copyRecord(value, path, depth)
    } finally {
      this.#ancestors.delete(value)
    }
  }

  #copyArray(value: unknown[], path: PathSegment[], depth: number): unknown[] {
    const out: unknown[] = []
    this.#count(2 + Math.max(0, value.length - 1))
    for (let index = 0; index < value.length && !this.#aborted; index++) {
      const descriptor = Object.getOwnPropertyDescriptor(value, index)
      const at = [...path, index]
      if (descriptor === undefined) {
        this.#reject(at, 'An empty slot in an array is not JSON; fill it or remove it.')
      } else if (!('value' in descriptor)) {
        this.#reject(at, 'An accessor (getter) is not data; use a plain value.')
      } else {
        out.push(this.copy(descriptor.value, at, depth + 1))
      }
    }
    return out
  }

  #copyRecord(value: object, path: PathSegment[], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    this.#count(2)
    for (const key of Reflect.ownKeys(value)) {
      if (this.#aborted) break
      if (typeof key === 'symbol') {
        this.#reject(path, `The symbol key ${String(key)} is not JSON; use string keys.`)
        continue
      }
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (!descriptor?.enumerable) continue
      const at = [...path, key]
      if (FORBIDDEN_KEYS.has(key)) {
        this.issues.push(
          issueAt(
            at,
            'forbidden_key',
            `The key "${key}" is not allowed anywhere in a definition; rename it.`,
          ),
        )
        continue
      }
      if (!('value' in descriptor)) {
        this.#reject(at, 'An accessor (getter) is not data; use a plain value.')
        continue
      }
      if (descriptor.value === undefined) continue
      this.#count(key.length + 4)
      out[key] = this.copy(descriptor.value, at, depth + 1)
    }
    return out
  }

  #withinTaskLimit(value: object, key: PathSegment | undefined): boolean {
    if (key !== 'tasks' && key !== 'steps') return true
    const count = Array.isArray(value) ? value.length : Object.keys(value).length
    if (count <= DEFINITION_LIMITS.maxTasks) return true
    this.issues.push(
      issueAt(
        [key],
        'too_large',
        `${count} ${key} exceed the limit of ${DEFINITION_LIMITS.maxTasks}; split the workflow into sub-workflows.`,
      ),
    )
    return false
  }

  #count(chars: number): boolean {
    this.#size += chars
    if (this.#size <= DEFINITION_LIMITS.maxSourceLength) return true
    this.#aborted = true
    this.issues.push(
      issueAt(
        [],
        'too_large',
        `The definition exceeds ${DEFINITION_LIMITS.maxSourceLength} characters as JSON; split it into sub-workflows.`,
      ),
    )
    return false
  }

  #reject(path: PathSegment[], message: string): undefined {
    this.issues.push(issueAt(path, 'invalid_value', message))
    return undefined
  }
}
