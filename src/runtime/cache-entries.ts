import type { CacheEntry } from '../store/store'
import type { CompiledTask } from '../types'
import { type CacheSkipReason, cacheKey, isJsonSized } from './cache-key'
import type { TaskHost } from './invoke-action'
import { reportUnhandledError } from './report-unhandled-error'
import type { ResultCache } from './result-cache'

/** How long a used entry's `lastUsedAt` may lag behind: a hit writes it at most this often. */
export const TOUCH_EVERY_MS = 60_000

/**
 * The cache key of a task's attempt (or, with `item`, of one `forEach` item: the item joins the
 * key), or why there is none.
 */
export function taskCacheKey(
  host: TaskHost,
  task: CompiledTask,
  params: unknown,
  item?: { item: unknown },
): Promise<{ key: string } | { skip: CacheSkipReason }> {
  const spec = task.cache!
  return cacheKey({
    action: task.action,
    version: host.action(task.action).version,
    params,
    keyValue: spec.key?.evaluate(host.scope(spec.key.taskRefs)),
    ...item,
    scope: spec.scope,
    definitionId: host.scope([]).run.definitionId,
    runId: host.runId,
  })
}

/**
 * The fresh entry under `key`, marked used at `now` (at most once a minute: see `touch`);
 * `undefined` when there is none or it expired.
 */
export async function freshEntry(
  cache: ResultCache,
  key: string,
  now: () => number,
): Promise<CacheEntry | undefined> {
  const entry = await cache.store.getCacheEntry(key)
  if (!entry || entry.expiresAt <= now()) return undefined
  await touch(cache, entry, now())
  return entry
}

/** Marks `entry` used at `now` for the eviction order, when its mark is a minute old or more. */
async function touch(cache: ResultCache, entry: CacheEntry, now: number): Promise<void> {
  if (now - entry.lastUsedAt < TOUCH_EVERY_MS) return
  // Only the eviction order suffers from a lost mark: the hit stands.
  await cache.store.touchCacheEntry(entry.key, now).catch(reportUnhandledError)
}

/**
 * Keeps `output` under `key` for the task's `ttlMs`, evicting down to the cap; resolves to why
 * it was not kept (an output whose JSON leaves parts out, or one larger than the cap), or
 * `undefined`. A write that fails is reported: the task has its output either way, and a lost
 * entry only means the next run computes it.
 */
export async function keepEntry(
  host: TaskHost,
  cache: ResultCache,
  task: CompiledTask,
  key: string,
  output: unknown,
): Promise<CacheSkipReason | undefined> {
  // Its size is that of its JSON: an output whose JSON leaves parts out (a Date, bytes) is not kept.
  if (!isJsonSized(output)) return 'not-plain-json'
  const now = host.now()
  const made: Omit<CacheEntry, 'bytes'> = {
    key,
    expiresAt: now + task.cache!.ttlMs,
    action: task.action,
    definitionId: host.scope([]).run.definitionId,
    runId: host.runId,
    taskId: task.id,
    output,
    createdAt: now,
    lastUsedAt: now,
  }
  const bytes = new TextEncoder().encode(JSON.stringify(made)).length
  if (bytes > cache.maxBytes) return 'too-large'
  await cache.store
    // Expired entries go with the put, whichever tab puts: none waits for the leader's sweep.
    .putCacheEntry({ ...made, bytes }, { expiredAt: now, maxBytes: cache.maxBytes })
    .then(() => cache.kept(made.expiresAt))
    .catch(reportUnhandledError)
  return undefined
}

/** Runs `work` under the key's Web Lock (where there are Web Locks): two misses of a key compute it once. */
export function underKeyLock<T>(cache: ResultCache, key: string, work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks
  if (!locks) return work()
  return locks.request(cache.lockName(key), work)
}
