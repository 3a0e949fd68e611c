import { compareSemver } from '../definition/semver'
import { ArgumentError, NotFoundError, StaleExecutorError } from '../errors'
import type { RunFilter } from '../types'
import { IdbConnection, quiet, type Tx } from './idb-connection'
import { type JournalPage, prefixRange, seqRange, versionsRange } from './idb-schema'
import type { CommitBatch, JournalEntry, RunRecord, SnapshotRecord, Store, StoredDefinition } from './store'
import {
  checkBatch,
  checkDefinition,
  checkKey,
  checkLimit,
  checkRun,
  checkSeq,
  versionExists,
} from './store-arguments'

export interface IndexedDbStoreOptions {
  /** The IndexedDB database name (and the `<db>` part of the run lock names). Default `'spindle'`. */
  name?: string
  /**
   * How hard each write transaction waits for the disk. `'strict'` (the default) reports a write
   * complete only once the browser has flushed it to persistent storage. `'relaxed'` reports it
   * complete once the browser has it in its own process: faster, and a tab crash or a killed
   * renderer still loses nothing, but an operating-system crash or a power loss right after may
   * lose writes already reported durable, including a `task.completed` already published.
   * Browsers differ in what they do when no durability is asked for, so the store always asks.
   */
  durability?: 'strict' | 'relaxed'
}

/**
 * A `Store` kept in IndexedDB (through `idb`): definitions, runs, journals and snapshots survive
 * reloads, crashes and browser restarts. The database opens on first use, one connection per
 * store object; it closes itself when another tab needs to upgrade the schema, and reopens on
 * the next call. Every failure rejects with a `StorageError` (`STORAGE_FAILED`) that keeps the
 * browser's error as `cause`; a rejected `commit` or `rollBack` wrote nothing.
 *
 * @example
 * const engine = createEngine({ store: indexedDbStore({ name: 'orders' }) })
 * @example
 * // Faster group commits, at the risk described under `durability`:
 * const store = indexedDbStore({ durability: 'relaxed' })
 */
export function indexedDbStore(options: IndexedDbStoreOptions = {}): Store {
  const { name = 'spindle', durability = 'strict' } = options
  if (typeof name !== 'string' || name === '') {
    throw new ArgumentError(
      `indexedDbStore: "name" must be a non-empty string; got ${JSON.stringify(name)}.`,
      {
        value: name,
      },
    )
  }
  if (durability !== 'strict' && durability !== 'relaxed') {
    throw new ArgumentError(
      `indexedDbStore: "durability" must be 'strict' or 'relaxed'; got ${JSON.stringify(durability)}.`,
      { value: durability },
    )
  }
  return new IndexedDbStore(name, durability)
}

class IndexedDbStore implements Store {
  readonly name: string
  readonly #db: IdbConnection

  constructor(name: string, durability: 'strict' | 'relaxed') {
    this.name = name
    this.#db = new IdbConnection(name, durability)
  }

  putDefinition(record: StoredDefinition): Promise<void> {
    return this.#db.write('putDefinition', ['definitions'], async (tx) => {
      checkDefinition(record)
      const definitions = tx.objectStore('definitions')
      if ((await definitions.getKey([record.id, record.version])) !== undefined) throw versionExists(record)
      await definitions.put(record)
    })
  }

  getDefinition(id: string, version?: string): Promise<StoredDefinition | undefined> {
    return this.#db.read('getDefinition', ['definitions'], async (tx) => {
      checkKey('definition id', id)
      const definitions = tx.objectStore('definitions')
      if (version !== undefined) return definitions.get([id, checkKey('version', version)])
      let best: StoredDefinition | undefined
      for (const record of await definitions.getAll(versionsRange(id))) {
        if (!best || compareSemver(record.version, best.version) > 0) best = record
      }
      return best
    })
  }

  latestVersion(id: string): Promise<string | undefined> {
    return this.#db.read('latestVersion', ['definitions'], async (tx) => {
      checkKey('definition id', id)
      let best: string | undefined
      for (const key of await tx.objectStore('definitions').getAllKeys(versionsRange(id))) {
        const version = key[1]
        if (best === undefined || compareSemver(version, best) > 0) best = version
      }
      return best
    })
  }

  listDefinitions(): Promise<StoredDefinition[]> {
    return this.#db.read('listDefinitions', ['definitions'], (tx) => tx.objectStore('definitions').getAll())
  }

  deleteDefinition(id: string, version?: string): Promise<number> {
    return this.#db.write('deleteDefinition', ['definitions'], async (tx) => {
      checkKey('definition id', id)
      const definitions = tx.objectStore('definitions')
      const range =
        version === undefined ? versionsRange(id) : IDBKeyRange.only([id, checkKey('version', version)])
      const count = await definitions.count(range)
      if (count > 0) await definitions.delete(range)
      return count
    })
  }

  async createRun(record: RunRecord): Promise<void> {
    try {
      await this.#db.write('createRun', ['runs'], async (tx) => {
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
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.#db.read('getRun', ['runs'], (tx) => tx.objectStore('runs').get(checkKey('runId', runId)))
  }

  listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.#db.read('listRuns', ['runs'], async (tx) => {
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
  }

  claimRun(runId: string, executor: string): Promise<RunRecord> {
    return this.#db.write('claimRun', ['runs'], async (tx) => {
      checkKey('executor', executor)
      const runs = tx.objectStore('runs')
      const run = await runs.get(checkKey('runId', runId))
      if (!run) throw new NotFoundError(`No run "${runId}" in store "${this.name}".`, { value: runId })
      run.epoch += 1
      run.executor = executor
      await runs.put(run)
      return run
    })
  }

  claimRuns(runIds: readonly string[], executor: string): Promise<RunRecord[]> {
    return this.#db.write('claimRuns', ['runs'], async (tx) => {
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
  }

  commit(batch: CommitBatch): Promise<void> {
    // Most batches carry no snapshot: a transaction over fewer stores starts sooner.
    const stores: ('runs' | 'journal' | 'snapshots')[] =
      batch.snapshots?.length > 0 ? ['runs', 'journal', 'snapshots'] : ['runs', 'journal']
    return this.#db.write('commit', stores, async (tx) => {
      checkBatch(batch)
      const runs = tx.objectStore('runs')
      let refused: unknown
      // Each fence is checked as its read comes back, without holding the writes behind it: a
      // refusal aborts the transaction before it can commit, and the writes go with it.
      const checks = [...batch.runs, ...(batch.fences ?? [])].map(({ runId, epoch }) =>
        runs.get(runId).then((stored) => {
          try {
            fence(runId, epoch, stored)
          } catch (error) {
            refused ??= error
            tx.abort()
          }
        }),
      )
      const writes: Promise<unknown>[] = checks.map(quiet)
      for (const record of batch.runs) writes.push(quiet(runs.put(record)))
      const journal = tx.objectStore('journal')
      for (const page of pagesOf(batch.entries)) writes.push(quiet(journal.put(page)))
      if (batch.snapshots.length > 0) {
        const snapshots = (tx as unknown as Tx<['snapshots'], 'readwrite'>).objectStore('snapshots')
        for (const snapshot of batch.snapshots) writes.push(quiet(snapshots.put(snapshot)))
      }
      try {
        await Promise.all(writes)
      } catch (error) {
        throw refused ?? error
      }
      if (refused) throw refused
    })
  }

  readJournal(runId: string, afterSeq = 0): Promise<JournalEntry[]> {
    return this.#db.read('readJournal', ['journal'], async (tx) => {
      const after = checkSeq('afterSeq', afterSeq)
      const entries: JournalEntry[] = []
      for (const page of await tx.objectStore('journal').getAll(seqRange(checkKey('runId', runId)))) {
        if (page.last <= after) continue
        for (const entry of page.entries) if (entry.seq > after) entries.push(entry)
      }
      return entries
    })
  }

  latestSnapshot(runId: string, maxSeq = Number.POSITIVE_INFINITY): Promise<SnapshotRecord | undefined> {
    return this.#db.read('latestSnapshot', ['snapshots'], async (tx) => {
      const range = seqRange(checkKey('runId', runId), undefined, checkSeq('maxSeq', maxSeq))
      const cursor = await tx.objectStore('snapshots').openCursor(range, 'prev')
      return cursor?.value
    })
  }

  rollBack(runId: string, afterSeq: number, epoch: number): Promise<void> {
    return this.#db.write('rollBack', ['runs', 'journal', 'snapshots'], async (tx) => {
      checkKey('runId', runId)
      checkSeq('afterSeq', afterSeq)
      fence(runId, epoch, await tx.objectStore('runs').get(runId))
      const writes: Promise<unknown>[] = [
        quiet(tx.objectStore('snapshots').delete(seqRange(runId, afterSeq))),
      ]
      let cursor = await tx.objectStore('journal').openCursor(seqRange(runId))
      while (cursor) {
        const page = cursor.value
        if (page.last > afterSeq && page.entries.some((e) => e.seq > afterSeq && !e.rolledBack)) {
          const entries = page.entries.map((e) =>
            e.seq > afterSeq ? { ...e, rolledBack: true as const } : e,
          )
          writes.push(quiet(cursor.update({ ...page, entries })))
        }
        cursor = await cursor.continue()
      }
      await Promise.all(writes)
    })
  }

  close(): Promise<void> {
    return this.#db.close()
  }
}

/** One page per run of a batch's entries, in order. */
function pagesOf(entries: readonly JournalEntry[]): JournalPage[] {
  const byRun = new Map<string, JournalEntry[]>()
  for (const entry of entries) {
    const list = byRun.get(entry.runId)
    if (list) list.push(entry)
    else byRun.set(entry.runId, [entry])
  }
  return [...byRun].map(([runId, list]) => ({
    runId,
    seq: list[0]!.seq,
    last: list.at(-1)!.seq,
    entries: list,
  }))
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

function fence(runId: string, epoch: number, stored: RunRecord | undefined): void {
  if (stored && stored.epoch !== epoch) {
    throw new StaleExecutorError(
      `Run "${runId}" was taken over by another executor (epoch ${stored.epoch}, this one holds ${epoch}); this engine may no longer write it.`,
      { value: { runId, epoch, current: stored.epoch } },
    )
  }
}
