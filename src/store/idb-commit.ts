import { fence } from './fence'
import { quiet } from './idb-connection'
import { pagesOf } from './idb-journal-pages'
import type { CommitBatch } from './ports/journal-store'

/** The object stores a commit may write. */
export type CommitStores = ('runs' | 'pages' | 'snapshots' | 'outputs' | 'approvals')[]

/**
 * Writes `batch` in `tx` and resolves once the transaction committed (see `JournalStore.commit`).
 * `rollBack` marks what a `workflow.rolled-back` entry undoes, in the same transaction, and
 * `project` (when the batch changes approvals) writes the inbox's records in it.
 *
 * A commit is the engine's one durable step, so it talks to IndexedDB directly: no promise per
 * request, only the transaction's end awaited. A batch of journal pages alone (most of them) is
 * told to commit as soon as its requests are made: its fences are read in the same transaction
 * but not waited for, since a page a stale executor writes is never read back (see
 * `livePages`); a stale fence still rejects the commit. Any other batch would overwrite records
 * a newer owner reads, so it commits only once its fences are checked, and a stale one aborts it.
 */
export async function commitIn(
  raw: IDBTransaction,
  batch: CommitBatch,
  rollBack: (runId: string, afterSeq: number, beforeSeq: number) => Promise<void>,
  project?: () => Promise<void>,
): Promise<void> {
  let refused: unknown
  // Its end, from the transaction's own events: a request that failed after the commit was asked
  // for is named by `error` only once the transaction has aborted.
  const ended = quiet(
    new Promise<void>((resolve, reject) => {
      raw.addEventListener('complete', () => resolve())
      raw.addEventListener('abort', () =>
        reject(raw.error ?? new DOMException('The transaction was aborted.', 'AbortError')),
      )
    }),
  )
  const rollbacks = batch.entries.filter((e) => e.type === 'workflow.rolled-back')
  // Marking a rollback walks cursors, and projecting approvals reads before it writes: their
  // requests come in later callbacks, so only a batch without either has issued all of its
  // requests when the last fence is checked. Both write what a newer owner reads: guarded.
  const early = rollbacks.length === 0 && !project && typeof raw.commit === 'function'
  const pagesOnly = batch.runs.length === 0 && batch.snapshots.length === 0 && !batch.outputs?.length
  const guarded = !pagesOnly || rollbacks.length > 0 || project !== undefined
  const runs = raw.objectStore('runs')
  const fences = [...batch.runs, ...(batch.fences ?? [])]
  let unchecked = fences.length
  // Each fence is checked as its read comes back, without holding the writes behind it: in a
  // guarded batch a refusal aborts the transaction before it can commit, and the writes go with it.
  for (const { runId, epoch } of fences) {
    const read = runs.get(runId)
    read.onsuccess = () => {
      try {
        fence(runId, epoch, read.result)
      } catch (error) {
        refused ??= error
        if (guarded) raw.abort()
        return
      }
      unchecked -= 1
      if (unchecked === 0 && early && guarded) commitNow(raw)
    }
  }
  for (const record of batch.runs) runs.put(record)
  // Requests run in the order they are made: older snapshots go before the batch's own land.
  const marking: Promise<void>[] = []
  for (const rollback of rollbacks) {
    if (rollback.type === 'workflow.rolled-back')
      marking.push(quiet(rollBack(rollback.runId, rollback.toSeq, rollback.seq)))
  }
  if (project) marking.push(quiet(project()))
  const epochs = new Map<string, number>()
  for (const { runId, epoch } of fences) epochs.set(runId, epoch)
  // `add`, not `put`: a page whose first seq is stored already under its epoch is a reused seq,
  // and must fail the batch rather than silently replace entries that were published.
  const pages = raw.objectStore('pages')
  for (const page of pagesOf(batch.entries, epochs)) pages.add(page)
  if (batch.snapshots.length > 0) {
    const snapshots = raw.objectStore('snapshots')
    for (const snapshot of batch.snapshots) snapshots.put(snapshot)
  }
  if (batch.outputs?.length) {
    const outputs = raw.objectStore('outputs')
    for (const output of batch.outputs) outputs.put(output)
  }
  if (early && (unchecked === 0 || !guarded)) commitNow(raw)
  try {
    await Promise.all([ended, ...marking])
  } catch (error) {
    throw refused ?? error
  }
  // Committed, and no read returns the pages of a stale fence: the caller is refused all the same.
  if (refused) throw refused
}

/** Asks the transaction to commit now rather than when its last request's result is handled. */
function commitNow(tx: IDBTransaction): void {
  try {
    tx.commit()
  } catch {
    // It is finishing already (a failed request aborted it): its abort event reports how it ended.
  }
}
