import type { RunEvent } from '../core/run-reducer'
import type { CompiledTask } from '../types'
import type { AttemptAbort } from './attempt-abort'
import { freshEntry, keepEntry, taskCacheKey, underKeyLock } from './cache-entries'
import type { CacheSkipReason } from './cache-key'
import type { TaskHost } from './invoke-action'
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
 * key cannot be made (see `cacheKey`) runs as if it had no cache, and its completion says why.
 */
export async function cachedAttempt(
  host: TaskHost,
  attemptOf: CachedAttemptSpec,
  run: () => RunEvent | undefined | Promise<RunEvent | undefined>,
): Promise<RunEvent | undefined> {
  const { task, attempt, controller, params, cache } = attemptOf
  const made = await taskCacheKey(host, task, params)
  if ('skip' in made) return skippedCache(await run(), made.skip)
  const { key } = made
  return underKeyLock(cache, key, async () => {
    const entry = await freshEntry(cache, key, () => host.now())
    if (controller.aborted) return undefined
    if (entry) {
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
    return skippedCache(event, await keepEntry(host, cache, task, key, event.output))
  })
}

/**
 * `event`, a `task.completed`, with why the cache was not used (or its output not kept): a user
 * sees in the history why a task with `cache` ran every time. Other events (failures, waits)
 * are never cached anyway.
 */
export function skippedCache(
  event: RunEvent | undefined,
  reason: CacheSkipReason | undefined,
): RunEvent | undefined {
  return reason !== undefined && event?.type === 'task.completed'
    ? { ...event, cache: { skipped: reason } }
    : event
}
