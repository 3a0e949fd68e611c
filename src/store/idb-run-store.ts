import { unwrap } from 'idb'
import { ArgumentError, NotFoundError } from '../errors'
import type { IdbConnection } from './idb-connection'
import { claimMark } from './idb-journal-pages'
import { listRunsIn } from './idb-run-listing'
import { runRange } from './idb-schema'
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

    setRunFormat(runId: string, formatVersion: number): Promise<boolean> {
      return db.write('setRunFormat', ['runs'], async (tx) => {
        const runs = tx.objectStore('runs')
        const run = await runs.get(checkKey('runId', runId))
        if (!run) return false
        await runs.put({ ...run, formatVersion })
        return true
      })
    },

    getRun(runId: string): Promise<RunRecord | undefined> {
      return db.read('getRun', ['runs'], (tx) => tx.objectStore('runs').get(checkKey('runId', runId)))
    },

    listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
      return db.read('listRuns', ['runs'], (tx) => listRunsIn(tx.objectStore('runs'), checkRunQuery(query)))
    },

    claimRun(runId: string, executor: string): Promise<RunRecord> {
      return db.write('claimRun', ['runs', 'pages'], async (tx) => {
        checkKey('executor', executor)
        const runs = tx.objectStore('runs')
        const pages = tx.objectStore('pages')
        const [run, last] = await Promise.all([
          runs.get(checkKey('runId', runId)),
          pages.openKeyCursor(runRange(runId), 'prev'),
        ])
        if (!run) throw new NotFoundError(`No run "${runId}" in store "${name}".`, { value: runId })
        const closing = pages.put(claimMark(runId, run.epoch, lastSeqOf(run, last?.key)))
        run.epoch += 1
        run.executor = executor
        await Promise.all([closing, runs.put(run)])
        return run
      })
    },

    claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]> {
      return db.write('claimRuns', ['runs', 'pages'], async (tx) => {
        checkKey('executor', executor)
        const ids = checkRunIds(runIds)
        if (ids.length === 0) return []
        // Straight on IndexedDB, each run put back as its read comes in: recovery claims
        // hundreds of runs in this one transaction, and a promise per request was most of its time.
        const raw = unwrap(tx)
        const stored = new Map<string, RunRecord>()
        const claim = (run: RunRecord, last: PageKey | undefined) => {
          raw.objectStore('pages').put(claimMark(run.runId, run.epoch, lastSeqOf(run, last)))
          run.epoch += 1
          run.executor = executor
          raw.objectStore('runs').put(run)
          stored.set(run.runId, run)
        }
        claimInBulk(raw, ids, claim)
        await tx.done
        return ids.flatMap((runId) => stored.get(runId) ?? [])
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

    listEventWaiters(type: string): Promise<string[]> {
      return db.read('listEventWaiters', ['runs'], (tx) =>
        tx.objectStore('runs').index('eventWaits').getAllKeys(type),
      )
    },
  }
}

type PageKey = [runId: string, epoch: number, seq: number]

/**
 * The first seq of the last page `run`'s current epoch wrote, from the greatest key of its
 * pages: no epoch above the current one has pages, so when that key is of another epoch (or
 * there is none), the current epoch wrote nothing.
 */
function lastSeqOf(run: RunRecord, key: PageKey | undefined): number {
  return key && key[1] === run.epoch ? key[2] : Number.NEGATIVE_INFINITY
}

/** Most records two bulk reads may return per run claimed before `claimRuns` reads run by run. */
const BULK_RECORDS_PER_RUN = 4

/**
 * Claims the runs `ids` from two reads over the key range they span, one of the runs' records
 * and one of their pages' keys, when neither comes back cut at its bound: a request costs about
 * the same whatever it returns, and recovery claims hundreds of runs stored side by side. Runs
 * with long journals, or many other runs between them, would make those reads large: when one
 * comes back cut, the runs are read one by one instead, in the same transaction.
 */
function claimInBulk(
  raw: IDBTransaction,
  ids: readonly string[],
  claim: (run: RunRecord, last: PageKey | undefined) => void,
): void {
  const wanted = new Set(ids)
  const sorted = [...wanted].sort()
  const first = sorted[0]!
  const last = sorted.at(-1)!
  const bound = wanted.size * BULK_RECORDS_PER_RUN
  const keys = raw.objectStore('pages').getAllKeys(IDBKeyRange.bound([first], [last, []]), bound)
  const runs = raw.objectStore('runs').getAll(IDBKeyRange.bound(first, last), bound)
  // Requests are served in order: the keys are in when the records are.
  runs.onsuccess = () => {
    const pageKeys = keys.result as PageKey[]
    const records = runs.result as RunRecord[]
    if (pageKeys.length >= bound || records.length >= bound) {
      claimOneByOne(raw, ids, claim)
      return
    }
    // Keys come in order: the last one seen of a run is its greatest.
    const lastKeys = new Map<string, PageKey>()
    for (const key of pageKeys) lastKeys.set(key[0], key)
    for (const run of records) if (wanted.has(run.runId)) claim(run, lastKeys.get(run.runId))
  }
}

/** Claims the runs `ids`, reading each one's record and greatest page key on its own. */
function claimOneByOne(
  raw: IDBTransaction,
  ids: readonly string[],
  claim: (run: RunRecord, last: PageKey | undefined) => void,
): void {
  const pages = raw.objectStore('pages')
  const runs = raw.objectStore('runs')
  for (const runId of new Set(ids)) {
    // Both requests at once; the cursor's result is in when the read's comes back.
    const last = pages.openKeyCursor(runRange(runId), 'prev')
    const read = runs.get(runId)
    read.onsuccess = () => {
      const run = read.result as RunRecord | undefined
      if (run) claim(run, last.result?.key as PageKey | undefined)
    }
  }
}
