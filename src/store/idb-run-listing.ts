import type { IDBPObjectStore } from 'idb'
import type { SpindleDB } from './idb-schema'
import { type CheckedRunQuery, compareNewestFirst, selects } from './run-query'
import type { RunRecord } from './store'

type RunsStore = IDBPObjectStore<SpindleDB, ['runs'], 'runs', 'readonly'>

/** The smallest part of a cursor over a `runs` index that the walk below needs. */
interface RunCursor {
  value: RunRecord
  continue(): Promise<RunCursor | null>
  continuePrimaryKey(key: IDBValidKey, primaryKey: IDBValidKey): Promise<RunCursor | null>
}

/**
 * `Store.listRuns` over IndexedDB. Every index used ends in `createdAt` and IndexedDB orders
 * records with equal index keys by primary key (`runId`), so walking an index backwards yields
 * the listing order; the creation-time bounds and the page position become the key range, and
 * the walk stops at `limit`. With several statuses, one walk per status, merged.
 */
export async function listRunsIn(runs: RunsStore, query: CheckedRunQuery): Promise<RunRecord[]> {
  if (query.limit === 0 || query.status?.length === 0) return []
  if (query.definitionId !== undefined) {
    return walk(runs.index('definitionId') as unknown as Walkable, query.definitionId, query)
  }
  if (query.status !== undefined) {
    const walks = [...new Set(query.status)].map((status) =>
      walk(runs.index('status') as unknown as Walkable, status, query),
    )
    return (await Promise.all(walks)).flat().sort(compareNewestFirst).slice(0, query.limit)
  }
  return walk(runs.index('createdAt') as unknown as Walkable, undefined, query)
}

interface Walkable {
  openCursor(range: IDBKeyRange, direction: 'prev'): Promise<RunCursor | null>
}

/**
 * Runs of one index newest first, within the query's creation-time range and after its
 * position, keeping those the whole query selects, up to `limit`. `prefix` is the first part of
 * a compound `[prefix, createdAt]` index key.
 */
async function walk(
  index: Walkable,
  prefix: string | undefined,
  query: CheckedRunQuery,
): Promise<RunRecord[]> {
  const range = createdRange(prefix, query)
  if (!range) return []
  const found: RunRecord[] = []
  const { after } = query
  let cursor = await index.openCursor(range, 'prev')
  if (cursor && after && cursor.value.createdAt === after.createdAt && cursor.value.runId > after.runId) {
    // Runs created at the same time can be many: jump to the position rather than step to it.
    const key = prefix === undefined ? after.createdAt : [prefix, after.createdAt]
    cursor = await cursor.continuePrimaryKey(key, after.runId)
  }
  while (cursor && found.length < query.limit) {
    if (selects(query, cursor.value)) found.push(cursor.value)
    cursor = await cursor.continue()
  }
  return found
}

/** The index key range of the query's creation times, or undefined when it is empty. */
function createdRange(prefix: string | undefined, query: CheckedRunQuery): IDBKeyRange | undefined {
  const { createdAfter, createdBefore, after } = query
  const lower = createdAfter ?? Number.NEGATIVE_INFINITY
  const lowerOpen = createdAfter !== undefined
  let upper = Number.POSITIVE_INFINITY
  let upperOpen = false
  if (createdBefore !== undefined) {
    upper = createdBefore
    upperOpen = true
  }
  if (after && after.createdAt < upper) {
    upper = after.createdAt
    upperOpen = false
  }
  if (lower > upper || (lower === upper && (lowerOpen || upperOpen))) return undefined
  const key = (time: number) => (prefix === undefined ? time : [prefix, time])
  return IDBKeyRange.bound(key(lower), key(upper), lowerOpen, upperOpen)
}
