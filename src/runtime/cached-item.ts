import { isWaitRequest } from '../actions/wait'
import type { CompiledTask } from '../types'
import { freshEntry, keepEntry, taskCacheKey, underKeyLock } from './cache-entries'
import type { CacheSkipReason } from './cache-key'
import type { TaskHost } from './invoke-action'
import type { ResultCache } from './result-cache'
import { CachedItemOutput } from './run-items'

/** The `forEach` item `cachedItem` looks up or runs. */
export interface CachedItemSpec {
  task: CompiledTask
  /** The item: it joins the key, so that each item has an entry of its own. */
  item: unknown
  /** The item's resolved params, part of the key. */
  params: Record<string, unknown>
  cache: ResultCache
  /** Whether the attempt changed the run's shared state so far (its items share it): then nothing is kept. */
  changedState(): boolean
  /** Told why the item ran without the cache, or its output was not kept. */
  skipped(reason: CacheSkipReason): void
}

/**
 * One item of a `forEach` task with `cache`: a fresh entry under the item's key is the item's
 * output (a `CachedItemOutput`, journaled with its source); a miss runs the item (`run`) under
 * the key's Web Lock and keeps its output `ttlMs`. Failures, waits and items of an attempt that
 * changed the run's shared state are never kept.
 */
export async function cachedItem(
  host: TaskHost,
  spec: CachedItemSpec,
  run: () => Promise<unknown>,
): Promise<unknown> {
  const { task, item, params, cache } = spec
  const made = await taskCacheKey(host, task, params, { item })
  if ('skip' in made) {
    spec.skipped(made.skip)
    return run()
  }
  const { key } = made
  return underKeyLock(cache, key, async () => {
    const entry = await freshEntry(cache, key, () => host.now())
    if (entry) return new CachedItemOutput(entry.output, entry.runId, entry.taskId)
    const output = await run()
    if (isWaitRequest(output) || spec.changedState()) return output
    const reason = await keepEntry(host, cache, task, key, output)
    if (reason !== undefined) spec.skipped(reason)
    return output
  })
}
