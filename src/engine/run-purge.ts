import { tryLockRun } from '../host/locks'
import type { RunStore, Store } from '../store/store'
import type { RunStatus } from '../types'
import type { EngineParts } from './engine-parts'
import type { PurgeFilter, RetentionOptions } from './engine-types'
import { ENDED } from './purge-arguments'

const DAY = 24 * 60 * 60 * 1000
const UNENDED: readonly RunStatus[] = ['queued', 'running', 'paused']
/** Runs deleted per store transaction: a purge never holds the database for long. */
export const SLICE = 50

/** `EngineOptions.retention` with every default filled in. */
export interface Retention {
  completed: { maxAgeMs: number; maxCount: number }
  failed: { maxAgeMs: number }
  cancelled: { maxAgeMs: number }
}

/** The retention an engine applies: its options over the defaults (14 days or 1,000 completed runs, 30 days failed, 7 days cancelled). */
export function retentionOf(options: RetentionOptions = {}): Retention {
  return {
    completed: {
      maxAgeMs: options.completed?.maxAgeMs ?? 14 * DAY,
      maxCount: options.completed?.maxCount ?? 1000,
    },
    failed: { maxAgeMs: options.failed?.maxAgeMs ?? 30 * DAY },
    cancelled: { maxAgeMs: options.cancelled?.maxAgeMs ?? 7 * DAY },
  }
}

/**
 * Deletes the ended runs `filter` selects, or, without a filter, those `retention` lets go; resolves
 * to how many (with `dryRun`, how many would go). Kept always: runs not ended, runs with an open
 * approval, parents of runs not ended, runs this engine still holds in memory. The store checks
 * the first two again in the transaction that deletes, so a run reopened meanwhile stays.
 */
export async function purgeRuns(
  parts: Pick<EngineParts, 'store' | 'runs' | 'scope' | 'streams'>,
  filter: PurgeFilter | undefined,
  retention: Retention,
  now: number,
): Promise<number> {
  return (await purgeSlice(parts, filter, retention, now, Number.POSITIVE_INFINITY)).deleted
}

/**
 * `purgeRuns` of at most `limit` runs; also says whether runs to delete were left beyond it
 * (`more`), whatever the slice deleted: runs held elsewhere keep a slice from filling.
 */
export async function purgeSlice(
  parts: Pick<EngineParts, 'store' | 'runs' | 'scope' | 'streams'>,
  filter: PurgeFilter | undefined,
  retention: Retention,
  now: number,
  limit: number,
): Promise<{ deleted: number; more: boolean }> {
  const { store } = parts
  const candidates = filter ? await selected(store, filter) : await expired(store, retention, now)
  if (candidates.length === 0) return { deleted: 0, more: false }
  const [live, open] = await Promise.all([
    store.listRuns({ status: UNENDED }),
    store.listApprovals({ status: ['open'] }),
  ])
  const kept = new Set<string>([...open.map((a) => a.runId)])
  for (const run of live) if (run.parentRunId !== undefined) kept.add(run.parentRunId)
  const deletable = candidates.filter((runId) => !kept.has(runId) && parts.runs.get(runId) === undefined)
  const ids = deletable.slice(0, limit)
  const more = deletable.length > ids.length
  if (filter?.dryRun) return { deleted: ids.length, more }
  let deleted = 0
  for (let i = 0; i < ids.length; i += SLICE) {
    parts.scope.check()
    const gone = await deleteLocked(store, ids.slice(i, i + SLICE))
    // The views of recently ended runs this engine keeps would otherwise still show them.
    for (const runId of gone) parts.streams.forget(runId)
    deleted += gone.length
  }
  return { deleted, more }
}

/**
 * Deletes the runs of `ids` whose Web Lock is free, holding their locks across the delete: a run
 * another engine executes, or rolls back (the rollback holds the lock from reading the run to
 * committing), is kept, so no rollback commits onto a run that is gone. Resolves to the ids deleted.
 */
async function deleteLocked(store: Store, ids: string[]): Promise<string[]> {
  const locks = await Promise.all(ids.map((runId) => tryLockRun(store.name, runId)))
  try {
    const free = ids.filter((_, i) => locks[i] !== undefined)
    return free.length === 0 ? [] : await store.deleteRuns(free)
  } finally {
    await Promise.all(locks.map((lock) => lock?.release()))
  }
}

async function selected(store: RunStore, filter: PurgeFilter): Promise<string[]> {
  const runs = await store.listRuns({
    status: filter.status ?? ENDED,
    ...(filter.definitionId !== undefined && { definitionId: filter.definitionId }),
  })
  const before = filter.endedBefore ?? Number.POSITIVE_INFINITY
  return runs.filter((r) => (r.endedAt ?? r.updatedAt) < before).map((r) => r.runId)
}

async function expired(store: RunStore, retention: Retention, now: number): Promise<string[]> {
  const ids: string[] = []
  const completed = await store.listRuns({ status: ['completed'] })
  // Newest first: beyond maxCount, the oldest go whatever their age.
  completed.forEach((run, i) => {
    const age = now - (run.endedAt ?? run.updatedAt)
    if (i >= retention.completed.maxCount || age > retention.completed.maxAgeMs) ids.push(run.runId)
  })
  for (const status of ['failed', 'cancelled'] as const) {
    for (const run of await store.listRuns({ status: [status] }))
      if (now - (run.endedAt ?? run.updatedAt) > retention[status].maxAgeMs) ids.push(run.runId)
  }
  return ids
}
