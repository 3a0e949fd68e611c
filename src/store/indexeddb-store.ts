import { compareSemver } from '../definition/semver'
import { ArgumentError, NotFoundError, StaleExecutorError } from '../errors'
import { IdbConnection, quiet, type Tx } from './idb-connection'
import { listRunsIn } from './idb-run-listing'
import { type JournalPage, runRange, seqRange, versionsRange } from './idb-schema'
import { checkRunQuery } from './run-query'
import type {
  CommitBatch,
  JournalEntry,
  OutputRecord,
  RunQuery,
  RunRecord,
  SnapshotRecord,
  Store,
  StoredDefinition,
} from './store'
import { checkBatch, checkDefinition, checkKey, checkOptions, checkRun, checkSeq } from './store-arguments'

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

const INDEXED_DB_STORE_OPTIONS = { name: true, durability: true } as const satisfies Record<
  keyof IndexedDbStoreOptions,
  true
>

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
  checkOptions('indexedDbStore', options, INDEXED_DB_STORE_OPTIONS)
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
      await tx.objectStore('definitions').put(record)
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

  listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return this.#db.read('listRuns', ['runs'], (tx) =>
      listRunsIn(tx.objectStore('runs'), checkRunQuery(query)),
    )
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
    const rollbacks = batch.entries?.filter((e) => e.type === 'workflow.rolled-back') ?? []
    // Most batches carry no snapshot and no output: a transaction over fewer stores starts sooner.
    // A rollback's entry marks what it undoes, drops later snapshots and outputs, in this write.
    const stores: ('runs' | 'journal' | 'snapshots' | 'outputs')[] = ['runs', 'journal']
    if (batch.snapshots?.length > 0 || rollbacks.length > 0) stores.push('snapshots')
    if (batch.outputs?.length || rollbacks.length > 0) stores.push('outputs')
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
      // Requests run in the order they are made: older snapshots go before the batch's own land.
      for (const rollback of rollbacks) {
        if (rollback.type !== 'workflow.rolled-back') continue
        writes.push(markRolledBack(tx as never, rollback.runId, rollback.toSeq, rollback.seq))
      }
      const journal = tx.objectStore('journal')
      // `add`, not `put`: a page whose first seq is stored already is a reused seq, and must fail
      // the batch rather than silently replace entries that were published.
      for (const page of pagesOf(batch.entries)) writes.push(quiet(journal.add(page)))
      if (batch.snapshots.length > 0) {
        const snapshots = (tx as unknown as Tx<['snapshots'], 'readwrite'>).objectStore('snapshots')
        for (const snapshot of batch.snapshots) writes.push(quiet(snapshots.put(snapshot)))
      }
      if (batch.outputs?.length) {
        const outputs = (tx as unknown as Tx<['outputs'], 'readwrite'>).objectStore('outputs')
        for (const output of batch.outputs) writes.push(quiet(outputs.put(output)))
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

  readEntries(runId: string, seqs: readonly number[]): Promise<JournalEntry[]> {
    return this.#db.read('readEntries', ['journal'], async (tx) => {
      checkKey('runId', runId)
      const journal = tx.objectStore('journal')
      // Each entry is in the page with the greatest first seq at or below it.
      const found = await Promise.all(
        [...new Set(seqs)].map(async (seq) => {
          const cursor = await journal.openCursor(seqRange(runId, undefined, checkSeq('seq', seq)), 'prev')
          return cursor?.value.entries.find((e) => e.seq === seq)
        }),
      )
      return found.filter((e) => e !== undefined).sort((a, b) => a.seq - b.seq)
    })
  }

  readOutputs(runId: string, maxSeq = Number.POSITIVE_INFINITY): Promise<OutputRecord[]> {
    return this.#db.read('readOutputs', ['outputs'], async (tx) => {
      const upTo = checkSeq('maxSeq', maxSeq)
      const outputs = await tx.objectStore('outputs').getAll(runRange(checkKey('runId', runId)))
      return outputs.filter((o) => o.seq <= upTo).sort((a, b) => a.seq - b.seq)
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
    return this.#db.write('rollBack', ['runs', 'journal', 'snapshots', 'outputs'], async (tx) => {
      checkKey('runId', runId)
      checkSeq('afterSeq', afterSeq)
      fence(runId, epoch, await tx.objectStore('runs').get(runId))
      await markRolledBack(tx, runId, afterSeq, Number.POSITIVE_INFINITY)
    })
  }

  close(): Promise<void> {
    return this.#db.close()
  }
}

/**
 * Marks a run's journal entries in `(afterSeq, beforeSeq)` rolled back and deletes its snapshots
 * after `afterSeq`. The snapshot deletion is requested at once, before anything the caller
 * requests next in the same transaction.
 */
async function markRolledBack(
  tx: Tx<['runs', 'journal', 'snapshots', 'outputs'], 'readwrite'>,
  runId: string,
  afterSeq: number,
  beforeSeq: number,
): Promise<void> {
  const writes: Promise<unknown>[] = [quiet(tx.objectStore('snapshots').delete(seqRange(runId, afterSeq)))]
  let output = await tx.objectStore('outputs').openCursor(runRange(runId))
  while (output) {
    if (output.value.seq > afterSeq && output.value.seq < beforeSeq) writes.push(quiet(output.delete()))
    output = await output.continue()
  }
  let cursor = await tx.objectStore('journal').openCursor(seqRange(runId, undefined, beforeSeq - 1))
  while (cursor) {
    const page = cursor.value
    const undone = (e: JournalEntry) => e.seq > afterSeq && e.seq < beforeSeq
    if (page.last > afterSeq && page.entries.some((e) => undone(e) && !e.rolledBack)) {
      const entries = page.entries.map((e) => (undone(e) ? { ...e, rolledBack: true as const } : e))
      writes.push(quiet(cursor.update({ ...page, entries })))
    }
    cursor = await cursor.continue()
  }
  await Promise.all(writes)
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

function fence(runId: string, epoch: number, stored: RunRecord | undefined): void {
  if (stored && stored.epoch !== epoch) {
    throw new StaleExecutorError(
      `Run "${runId}" was taken over by another executor (epoch ${stored.epoch}, this one holds ${epoch}); this engine may no longer write it.`,
      { value: { runId, epoch, current: stored.epoch } },
    )
  }
}
