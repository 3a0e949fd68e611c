import { canonicalJson } from '../definition/canonical-json'

/** Why a task with `cache` was run without the cache (its `task.completed` says so: `cache.skipped`). */
export type CacheSkipReason = 'unversioned-action' | 'not-plain-json' | 'too-large'

/** What a task's cache key is made from, besides the action and its params. */
export interface CacheKeyParts {
  action: string
  /** The action's version; `undefined` for a custom action without one (never cached). */
  version: string | undefined
  params: unknown
  /** The value of `cache.key`, when the task has one. */
  keyValue?: unknown
  /** Under `forEach`: the item (present, even when `undefined`), so that each item has its key. */
  item?: unknown
  /** `definition` scope: the definition id; `run` scope: the run id; `global`: none. */
  scope: 'global' | 'definition' | 'run'
  definitionId: string
  runId: string
}

/**
 * The result cache key of a task: the SHA-256 (hex) of the canonical JSON of `{ action,
 * version, params, key }` and, for a narrower scope, the definition or run it belongs to. A
 * custom action without a version, or params or a key value that are not plain JSON (a Date, a
 * Blob, bytes, `undefined` in an object…), give a reason to skip the cache instead.
 */
export async function cacheKey(parts: CacheKeyParts): Promise<{ key: string } | { skip: CacheSkipReason }> {
  if (parts.version === undefined) return { skip: 'unversioned-action' }
  if (!isPlainJson(parts.params) || (parts.keyValue !== undefined && !isPlainJson(parts.keyValue)))
    return { skip: 'not-plain-json' }
  if ('item' in parts && !isPlainJson(parts.item)) return { skip: 'not-plain-json' }
  const keyed: Record<string, unknown> = {
    action: parts.action,
    version: parts.version,
    params: parts.params,
  }
  if (parts.keyValue !== undefined) keyed.key = parts.keyValue
  if ('item' in parts) keyed.item = parts.item
  if (parts.scope === 'definition') keyed.definitionId = parts.definitionId
  if (parts.scope === 'run') keyed.runId = parts.runId
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(keyed)))
  return { key: [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('') }
}

/** Whether `value` is JSON as JSON.stringify would give it back unchanged: no lossy or dropped part. */
export function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isPlainJson)
  if (typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return false
  return Object.values(value).every(isPlainJson)
}

/**
 * Whether `value` is made of plain data only (primitives but bigint and symbol, arrays, plain
 * objects), so that its JSON tells its size: what a cached output must be. Looser than
 * `isPlainJson`, as an output is stored as it is (an `undefined` field or a `NaN` stays one),
 * not read back from its JSON; a `Date`, bytes or a `Blob` are refused.
 */
export function isJsonSized(value: unknown): boolean {
  if (value === null || value === undefined) return true
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true
    case 'object':
      break
    default:
      return false
  }
  if (Array.isArray(value)) return value.every(isJsonSized)
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return false
  return Object.values(value).every(isJsonSized)
}
