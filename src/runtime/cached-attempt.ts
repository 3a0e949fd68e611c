import type { RunEvent } from '../core/run-reducer'
import type { CacheEntry } from '../store/store'
import type { CompiledTask } from '../types'
import type { AttemptAbort } from './attempt-abort'
import { type CacheSkipReason, cacheKey, isJsonSized } from './cache-key'
import type { TaskHost } from './invoke-action'
import { reportUnhandledError } from './report-unhandled-error'
import type { ResultCache } from './result-cache'

/** The attempt `cachedAttempt` looks up or runs. */
export interface CachedAttemptSpec {
  task: CompiledTask
  attempt: number
  controller: AttemptAbort
  /** The task's resolved params, part of the key. */
  params: Record<string, unknown>
  cache: ResultCache
}

/**
 * One attempt of a task with `cache`: a fresh entry under its key completes the task with the
 * entry's output (a `task.cached`, so a replay never runs the action either; the entry holds the
 * output itself, so its source run need not exist any more);
 * a miss runs the attempt (`run`) under the key's Web Lock and keeps its success `ttlMs`.
 * Failures, waits and attempts that changed the run's shared state are never kept. A task whose
 * key cannot be made (see `cacheKey`) runs as if it had no cache.
 */
export async function cachedAttempt(
  host: TaskHost,
  attemptOf: CachedAttemptSpec,
  run: () => RunEvent | undefined | Promise<RunEvent | undefined>,
): Promise<RunEvent | undefined> {
  const { task, attempt, controller, params, cache } = attemptOf
  const spec = task.cache!
  const definitionId = host.scope([]).run.definitionId
  const made = await cacheKey({
    action: task.action,
    version: host.action(task.action).version,
    params,
    keyValue: spec.key?.evaluate(host.scope(spec.key.taskRefs)),
    scope: spec.scope,
    definitionId,
    runId: host.runId,
  })
  if ('skip' in made) return skippedCache(await run(), made.skip)
  const { key } = made
  const lookUpOrRun = async (): Promise<RunEvent | undefined> => {
    const entry = await cache.store.getCacheEntry(key)
    if (controller.aborted) return undefined
    if (entry && entry.expiresAt > host.now()) {
      await touch(cache, entry, host.now())
      return {
        type: 'task.cached',
        taskId: task.id,
        attempt,
        output: entry.output,
        fromRunId: entry.runId,
        fromTaskId: entry.taskId,
        at: host.now(),
      }
    }
    const event = await run()
    if (event?.type !== 'task.completed' || event.state !== undefined) return event
    // Its size is that of its JSON: an output whose JSON leaves parts out (a Date, bytes) is not kept.
    if (!isJsonSized(event.output)) return skippedCache(event, 'not-plain-json')
    const now = host.now()
    const made: Omit<CacheEntry, 'bytes'> = {
      key,
      expiresAt: now + spec.ttlMs,
      action: task.action,
      definitionId: definitionId,
      runId: host.runId,
      taskId: task.id,
      output: event.output,
      createdAt: now,
      lastUsedAt: now,
    }
    const bytes = new TextEncoder().encode(JSON.stringify(made)).length
    if (bytes > cache.maxBytes) return skippedCache(event, 'too-large')
    await cache.store
      .putCacheEntry({ ...made, bytes }, cache.maxBytes)
      .then(() => cache.kept(made.expiresAt))
      // The task has its output either way: a lost entry only means the next run computes it.
      .catch(reportUnhandledError)
    return event
  }
  const locks = globalThis.navigator?.locks
  if (!locks) return lookUpOrRun()
  return locks.request(cache.lockName(key), lookUpOrRun)
}

/** How long a used entry's `lastUsedAt` may lag behind: a hit writes it at most this often. */
export const TOUCH_EVERY_MS = 60_000

/** Marks `entry` used at `now` for the eviction order, when its mark is a minute old or more. */
async function touch(cache: ResultCache, entry: CacheEntry, now: number): Promise<void> {
  if (now - entry.lastUsedAt < TOUCH_EVERY_MS) return
  // Only the eviction order suffers from a lost mark: the hit stands.
  await cache.store.touchCacheEntry(entry.key, now).catch(reportUnhandledError)
}

/**
 * `event`, a `task.completed`, with why the cache was not used: a user sees in the history why a
 * task with `cache` ran every time. Other events (failures, waits) are never cached anyway.
 */
export function skippedCache(event: RunEvent | undefined, reason: CacheSkipReason): RunEvent | undefined {
  return event?.type === 'task.completed' ? { ...event, cache: { skipped: reason } } : event
}
