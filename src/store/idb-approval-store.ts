import type { IDBPTransaction } from 'idb'
import type { ApprovalItem } from '../types'
import { type ApprovalTouch, projectApprovals } from './approval-projection'
import { approvalMatches, compareApprovals, filtersBeyondIndex, itemOf } from './approval-query'
import { type IdbConnection, quiet } from './idb-connection'
import type { SpindleDB } from './idb-schema'
import type { ApprovalQuery, ApprovalRecord, ApprovalStore } from './ports/approval-store'
import type { JournalEntry } from './ports/journal-store'
import { checkKey, checkRunIds } from './store-arguments'

/** Records read per request while a listing filters beyond its index. */
const CHUNK = 256

/**
 * The `ApprovalStore` of an IndexedDB database. A listing reads the `approvals` store alone,
 * never a run: by `runId` from its index; otherwise one status (or every status) in the inbox's
 * order from the `status` (or `due`) index, bounded by `dueBefore`, in chunks until `limit`
 * records passed the rest of the filter.
 */
export function idbApprovalStore(db: IdbConnection): ApprovalStore {
  return {
    listApprovals(query: ApprovalQuery = {}): Promise<ApprovalItem[]> {
      return db.read('listApprovals', ['approvals'], async (tx) => {
        const limit = query.limit ?? Number.POSITIVE_INFINITY
        if (limit === 0 || query.status?.length === 0) return []
        const store = tx.objectStore('approvals')
        if (query.runId !== undefined) {
          const records = await store.index('runId').getAll(checkKey('runId', query.runId))
          return records
            .filter((r) => approvalMatches(r, query))
            .sort(compareApprovals)
            .slice(0, limit)
            .map(itemOf)
        }
        const one = query.status?.length === 1 ? query.status[0]! : undefined
        const index = one === undefined ? store.index('due') : store.index('status')
        const prefix: (string | number)[] = one === undefined ? [] : [one]
        const upper = query.dueBefore === undefined ? [...prefix, []] : [...prefix, query.dueBefore]
        let range = IDBKeyRange.bound(prefix, upper, false, true)
        if (!filtersBeyondIndex(query)) {
          const count = Number.isFinite(limit) ? limit : undefined
          return (await index.getAll(range, count)).map(itemOf)
        }
        const selected: ApprovalItem[] = []
        for (;;) {
          const chunk = await index.getAll(range, CHUNK)
          for (const record of chunk) {
            if (!approvalMatches(record, query)) continue
            selected.push(itemOf(record))
            if (selected.length >= limit) return selected
          }
          if (chunk.length < CHUNK) return selected
          // Index keys end with the primary key, so each is unique: the next chunk starts after it.
          const last = chunk.at(-1)!
          const key = [last.dueKey, last.createdAt, last.approvalId]
          range = IDBKeyRange.bound(one === undefined ? key : [one, ...key], upper, true, true)
        }
      })
    },

    deleteApprovals(runIds: readonly string[]): Promise<number> {
      return db.write('deleteApprovals', ['approvals'], async (tx) => {
        const index = tx.objectStore('approvals').index('runId')
        let deleted = 0
        for (const runId of checkRunIds(runIds)) {
          let cursor = await index.openCursor(runId)
          while (cursor) {
            await cursor.delete()
            deleted++
            cursor = await cursor.continue()
          }
        }
        return deleted
      })
    },
  }
}

/**
 * Projects a commit's entries into the `approvals` store, inside the commit's transaction (so
 * the inbox and the journal are written together or not at all): reads the records `touch`
 * names and the runs' definitions, folds the entries into them and writes what changed.
 */
export async function projectIn(
  tx: IDBPTransaction<SpindleDB, ('runs' | 'approvals')[], 'readwrite'>,
  entries: readonly JournalEntry[],
  touch: ApprovalTouch,
): Promise<void> {
  // Wrapping the transaction made its `done` promise, which rejects when a stale fence aborts
  // the commit: the commit reports that, from the transaction's own events.
  quiet(tx.done)
  const store = tx.objectStore('approvals')
  const runIds = new Set([...touch.runs, ...touch.ids.values()])
  const [byId, byRun, runs] = await Promise.all([
    Promise.all([...touch.ids.keys()].map((id) => store.get(id))),
    Promise.all([...touch.runs].map((runId) => store.index('runId').getAll(runId))),
    Promise.all([...runIds].map((runId) => tx.objectStore('runs').get(runId))),
  ])
  const records = new Map<string, ApprovalRecord>()
  for (const record of [...byId, ...byRun.flat()]) if (record) records.set(record.approvalId, record)
  const definitions = new Map(runs.flatMap((run) => (run ? [[run.runId, run.definitionId] as const] : [])))
  const changed = projectApprovals(entries, records, (runId) => definitions.get(runId) ?? '')
  await Promise.all([...changed].map((id) => store.put(records.get(id)!)))
}
