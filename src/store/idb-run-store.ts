import { unwrap } from 'idb'
import { ArgumentError, NotFoundError } from '../errors'
import type { IdbConnection } from './idb-connection'
import { listRunsIn } from './idb-run-listing'
import type { RunQuery, RunRecord, RunStore, Wakeup } from './ports/run-store'
import { checkRunQuery } from './run-query'
import { checkKey, checkLimit, checkRun, checkRunIds } from './store-arguments'

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
        const ids = checkRunIds(runIds)
        // Straight on IndexedDB, each run put back as its read comes in: recovery claims
        // hundreds of runs in this one transaction, and a promise per request was most of its time.
        const runs = unwrap(tx).objectStore('runs')
        const stored: (RunRecord | undefined)[] = new Array(ids.length)
        ids.forEach((runId, i) => {
          const read = runs.get(runId)
          read.onsuccess = () => {
            const run = read.result as RunRecord | undefined
            if (!run) return
            run.epoch += 1
            run.executor = executor
            runs.put(run)
            stored[i] = run
          }
        })
        await tx.done
        return stored.filter((run) => run !== undefined)
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
