import { unwrap, wrap } from 'idb'
import { approvalTouch } from './approval-projection'
import { fence } from './fence'
import { projectIn } from './idb-approval-store'
import { type CommitStores, commitIn } from './idb-commit'
import { type IdbConnection, quiet, type Tx } from './idb-connection'
import { entriesAfter, livePages } from './idb-journal-pages'
import { askRestorePoints } from './idb-restore-points'
import { runRange, seqRange } from './idb-schema'
import type {
  CommitBatch,
  JournalEntry,
  JournalStore,
  OutputRecord,
  RestorePoint,
  SnapshotRecord,
} from './ports/journal-store'
import { isEnded } from './run-query'
import { checkBatch, checkKey, checkRunIds, checkSeq } from './store-arguments'

/**
 * The `JournalStore` of an IndexedDB database: journal pages, snapshots and output records, each
 * keyed `[runId, …]`. Its writes read the `runs` object store in
 * the same transaction, to fence them; its reads leave out the pages of stale executors.
 */
export function idbJournalStore(db: IdbConnection): JournalStore {
  return {
    commit(batch: CommitBatch): Promise<void> {
      const rolls = batch.entries?.some((e) => e.type === 'workflow.rolled-back') ?? false
      // Most batches carry no snapshot and no output: a transaction over fewer stores starts sooner.
      // A rollback's entry marks what it undoes, drops later snapshots and outputs, in this write.
      const stores: CommitStores = ['runs', 'pages']
      if (batch.snapshots?.length > 0 || rolls) stores.push('snapshots')
      if (batch.outputs?.length || rolls) stores.push('outputs')
      // The inbox is projected in the same write; most batches change no approval.
      const touch = approvalTouch(batch.entries)
      if (touch) stores.push('approvals')
      return db.writePlain('commit', stores, (tx) => {
        checkBatch(batch)
        return commitIn(
          tx,
          batch,
          (runId, afterSeq, beforeSeq) => markRolledBack(wrap(tx) as never, runId, afterSeq, beforeSeq),
          touch && (() => projectIn(wrap(tx) as never, batch.entries, touch)),
        )
      })
    },

    deleteRuns(runIds: readonly string[]): Promise<string[]> {
      const stores = ['runs', 'pages', 'snapshots', 'outputs', 'approvals'] as const
      return db.write('deleteRuns', [...stores], async (tx) => {
        const deleted: string[] = []
        for (const runId of new Set(checkRunIds(runIds))) {
          const run = await tx.objectStore('runs').get(runId)
          if (!run || !isEnded(run.status)) continue
          const approvals = await tx.objectStore('approvals').index('runId').getAll(runId)
          if (approvals.some((a) => a.status === 'open')) continue
          await Promise.all([
            tx.objectStore('runs').delete(runId),
            tx.objectStore('pages').delete(runRange(runId)),
            tx.objectStore('snapshots').delete(runRange(runId)),
            tx.objectStore('outputs').delete(runRange(runId)),
            ...approvals.map((a) => tx.objectStore('approvals').delete(a.approvalId)),
          ])
          deleted.push(runId)
        }
        return deleted
      })
    },

    readJournal(runId: string, afterSeq = 0): Promise<JournalEntry[]> {
      return db.read('readJournal', ['pages'], async (tx) => {
        const after = checkSeq('afterSeq', afterSeq)
        const pages = await tx
          .objectStore('pages')

          .getAll(runRange(checkKey('runId', runId)))
        return entriesAfter(livePages(pages), after)
      })
    },

    readEntries(runId: string, seqs: readonly number[]): Promise<JournalEntry[]> {
      return db.read('readEntries', ['pages'], async (tx) => {
        checkKey('runId', runId)
        const wanted = new Set(seqs.map((seq) => checkSeq('seq', seq)))
        if (wanted.size === 0) return []
        const pages = livePages(await tx.objectStore('pages').getAll(runRange(runId)))
        return pages.flatMap((page) => page.entries.filter((e) => wanted.has(e.seq)))
      })
    },

    readOutputs(runId: string, maxSeq = Number.POSITIVE_INFINITY): Promise<OutputRecord[]> {
      return db.read('readOutputs', ['outputs'], async (tx) => {
        const upTo = checkSeq('maxSeq', maxSeq)
        const outputs = await tx.objectStore('outputs').getAll(runRange(checkKey('runId', runId)))
        return outputs.filter((o) => o.seq <= upTo).sort((a, b) => a.seq - b.seq)
      })
    },

    latestSnapshot(runId: string, maxSeq = Number.POSITIVE_INFINITY): Promise<SnapshotRecord | undefined> {
      return db.read('latestSnapshot', ['snapshots'], async (tx) => {
        const range = seqRange(checkKey('runId', runId), undefined, checkSeq('maxSeq', maxSeq))
        const cursor = await tx.objectStore('snapshots').openCursor(range, 'prev')
        return cursor?.value
      })
    },

    readRestorePoints(runIds: readonly string[]): Promise<RestorePoint[]> {
      return db.read('readRestorePoints', ['pages', 'snapshots', 'outputs'], async (tx) => {
        const points = askRestorePoints(unwrap(tx), checkRunIds(runIds))
        await tx.done
        return points()
      })
    },

    rollBack(runId: string, afterSeq: number, epoch: number): Promise<void> {
      return db.write('rollBack', ['runs', 'pages', 'snapshots', 'outputs'], async (tx) => {
        checkKey('runId', runId)
        checkSeq('afterSeq', afterSeq)
        fence(runId, epoch, await tx.objectStore('runs').get(runId))
        await markRolledBack(tx, runId, afterSeq, Number.POSITIVE_INFINITY)
      })
    },
  }
}

/**
 * Marks a run's journal entries in `(afterSeq, beforeSeq)` rolled back and deletes its snapshots
 * after `afterSeq`. The snapshot deletion is requested at once, before anything the caller
 * requests next in the same transaction.
 */
async function markRolledBack(
  tx: Tx<['runs', 'pages', 'snapshots', 'outputs'], 'readwrite'>,
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
  // Every page of the run, stale ones too: those are never read, marked or not.
  let cursor = await tx.objectStore('pages').openCursor(runRange(runId))
  while (cursor) {
    const page = cursor.value
    const undone = (e: JournalEntry) => e.seq > afterSeq && e.seq < beforeSeq
    if (
      page.last > afterSeq &&
      page.seq < beforeSeq &&
      page.entries.some((e) => undone(e) && !e.rolledBack)
    ) {
      const entries = page.entries.map((e) => (undone(e) ? { ...e, rolledBack: true as const } : e))
      writes.push(quiet(cursor.update({ ...page, entries })))
    }
    cursor = await cursor.continue()
  }
  await Promise.all(writes)
}
