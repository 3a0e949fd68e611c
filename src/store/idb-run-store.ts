import { ArgumentError, NotFoundError } from '../errors'
import { type IdbConnection, quiet } from './idb-connection'
import { listRunsIn } from './idb-run-listing'
import type { RunQuery, RunRecord, RunStore, Wakeup } from './ports/run-store'
import { checkRunQuery } from './run-query'
import { checkKey, checkLimit, checkRun } from './store-arguments'

/**
 * The `RunStore` of an IndexedDB database: the `runs` object store, keyed by `runId`, with its
 * `status`, `definitionId` and `createdAt` indexes for `listRuns`, and `wakeAt` for `listWakeups`.
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

    listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
      return db.read('listRuns', ['runs'], (tx) => listRunsIn(tx.objectStore('runs'), checkRunQuery(query)))
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

    listWakeups(limit?: number): Promise<Wakeup[]> {
      return db.read('listWakeups', ['runs'], async (tx) => {
        const max = checkLimit(limit, 'listWakeups')
        const wakeups: Wakeup[] = []
        // `Infinity` (woken by a call only) sorts after every finite time: the range leaves it out.
        const finite = IDBKeyRange.upperBound(Number.MAX_VALUE)
        let cursor = await tx.objectStore('runs').index('wakeAt').openKeyCursor(finite)
        while (cursor && wakeups.length < max) {
          wakeups.push({ runId: cursor.primaryKey, wakeAt: cursor.key })
          cursor = await cursor.continue()
        }
        return wakeups
      })
    },
  }
}
