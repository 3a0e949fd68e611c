import { ArgumentError, NotFoundError } from '../errors'
import type { RunFilter } from '../types'
import { type IdbConnection, quiet } from './idb-connection'
import { prefixRange } from './idb-schema'
import type { RunRecord, RunStore } from './ports/run-store'
import { checkKey, checkLimit, checkRun } from './store-arguments'

/**
 * The `RunStore` of an IndexedDB database: the `runs` object store, keyed by `runId`, with its
 * `status`, `definitionId` and `createdAt` indexes for `listRuns`.
 */
export function idbRunStore(db: IdbConnection, name: string): RunStore {
  return {
    async createRun(record: RunRecord): Promise<void> {
      try {
        await db.write('createRun', ['runs'], async (tx) => {
          checkRun(record)
          await tx.objectStore('runs').add(record)
        })
      } catch (error) {
        if ((error as { cause?: { name?: string } }).cause?.name !== 'ConstraintError') throw error
        throw new ArgumentError(`A run with id "${record.runId}" exists already; pick another runId.`, {
          value: record.runId,
          cause: error,
        })
      }
    },

    getRun(runId: string): Promise<RunRecord | undefined> {
      return db.read('getRun', ['runs'], (tx) => tx.objectStore('runs').get(checkKey('runId', runId)))
    },

    listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
      return db.read('listRuns', ['runs'], async (tx) => {
        const limit = checkLimit(filter.limit)
        const { status, definitionId } = filter
        const runs = tx.objectStore('runs')
        if (limit === 0 || status?.length === 0) return []
        if (definitionId !== undefined) {
          const keep = status ? (run: RunRecord) => status.includes(run.status) : undefined
          const range = prefixRange(checkKey('definitionId', definitionId))
          return newestFirst(runs.index('definitionId').openCursor(range, 'prev'), limit, keep)
        }
        if (status) {
          const perStatus = await Promise.all(
            [...new Set(status)].map((s) =>
              newestFirst(runs.index('status').openCursor(prefixRange(checkKey('status', s)), 'prev'), limit),
            ),
          )
          return perStatus
            .flat()
            .sort((a, b) => b.createdAt - a.createdAt)
            .slice(0, limit)
        }
        return newestFirst(runs.index('createdAt').openCursor(null, 'prev'), limit)
      })
    },

    claimRun(runId: string, executor: string): Promise<RunRecord> {
      return db.write('claimRun', ['runs'], async (tx) => {
        checkKey('executor', executor)
        const runs = tx.objectStore('runs')
        const run = await runs.get(checkKey('runId', runId))
        if (!run) throw new NotFoundError(`No run "${runId}" in store "${name}".`, { value: runId })
        run.epoch += 1
        run.executor = executor
        await runs.put(run)
        return run
      })
    },

    claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]> {
      return db.write('claimRuns', ['runs'], async (tx) => {
        checkKey('executor', executor)
        const runs = tx.objectStore('runs')
        const stored = await Promise.all(runIds.map((runId) => runs.get(checkKey('runId', runId))))
        const claimed = stored.filter((run) => run !== undefined)
        for (const run of claimed) {
          run.epoch += 1
          run.executor = executor
        }
        await Promise.all(claimed.map((run) => quiet(runs.put(run))))
        return claimed
      })
    },
  }
}

/** Collects cursor values until `limit` (or the end), keeping those `keep` accepts. */
async function newestFirst(
  opening: Promise<{ value: RunRecord; continue(): Promise<unknown> } | null>,
  limit: number,
  keep?: (run: RunRecord) => boolean,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = []
  let cursor = await opening
  while (cursor && runs.length < limit) {
    if (!keep || keep(cursor.value)) runs.push(cursor.value)
    cursor = (await cursor.continue()) as typeof cursor
  }
  return runs
}
