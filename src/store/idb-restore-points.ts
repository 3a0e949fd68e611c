import { entriesAfter, type JournalPage, livePages } from './idb-journal-pages'
import { runRange, seqRange } from './idb-schema'
import type { OutputRecord, RestorePoint, SnapshotRecord } from './ports/journal-store'

/** What was read for one run: its latest snapshot, its pages in key order, its outputs. */
interface Found {
  snapshot?: SnapshotRecord
  pages: JournalPage[]
  outputs: OutputRecord[]
}

/** Most records a bulk read may return per run asked for before the runs are read one by one. */
const BULK_RECORDS_PER_RUN = 8

/**
 * Asks, in `raw` (over `pages`, `snapshots` and `outputs`), for what restoring each of `ids`
 * needs; once the transaction is done, the returned function assembles their restore points.
 * Every request is made up front, straight on IndexedDB: recovery reads hundreds of runs here,
 * and a transaction (or a promise) per read cost more than the reads. Runs stored side by side
 * are read with one `getAll` of their pages and one `getAllKeys` of their snapshots over the key
 * range they span (a request costs about the same whatever it returns); when either comes back
 * cut at its bound (long journals, or many other runs between them), run by run instead.
 */
export function askRestorePoints(raw: IDBTransaction, ids: readonly string[]): () => RestorePoint[] {
  const found = new Map<string, Found>()
  if (ids.length > 0) readInBulk(raw, ids, found)
  return () =>
    ids.map((runId): RestorePoint => {
      const { snapshot, pages, outputs } = found.get(runId) ?? { pages: [], outputs: [] }
      const upTo = snapshot?.seq ?? 0
      return {
        runId,
        snapshot,
        outputs: outputs.filter((o) => o.seq <= upTo).sort((a, b) => a.seq - b.seq),
        entries: entriesAfter(livePages(pages), upTo),
      }
    })
}

function readInBulk(raw: IDBTransaction, ids: readonly string[], found: Map<string, Found>): void {
  const wanted = new Set(ids)
  const sorted = [...wanted].sort()
  const span = IDBKeyRange.bound([sorted[0]!], [sorted.at(-1)!, []])
  const bound = wanted.size * BULK_RECORDS_PER_RUN
  const pages = raw.objectStore('pages').getAll(span, bound)
  const snapshotKeys = raw.objectStore('snapshots').getAllKeys(span, bound)
  // Requests are served in order: the pages are in when the snapshot keys are.
  snapshotKeys.onsuccess = () => {
    const records = pages.result as JournalPage[]
    const keys = snapshotKeys.result as [string, number][]
    if (records.length >= bound || keys.length >= bound) {
      readOneByOne(raw, wanted, found)
      return
    }
    for (const runId of wanted) found.set(runId, { pages: [], outputs: [] })
    for (const page of records) found.get(page.runId)?.pages.push(page)
    // Keys come in order: the last one seen of a run is its latest snapshot.
    const latest = new Map<string, [string, number]>()
    for (const key of keys) if (wanted.has(key[0])) latest.set(key[0], key)
    for (const [runId, key] of latest) {
      const run = found.get(runId)!
      const snapshot = raw.objectStore('snapshots').get(key)
      snapshot.onsuccess = () => {
        run.snapshot = snapshot.result
      }
      // Outputs count only up to the snapshot: a run without one needs none.
      const outputs = raw.objectStore('outputs').getAll(runRange(runId))
      outputs.onsuccess = () => {
        run.outputs = outputs.result
      }
    }
  }
}

function readOneByOne(raw: IDBTransaction, ids: ReadonlySet<string>, found: Map<string, Found>): void {
  for (const runId of ids) {
    const run: Found = { pages: [], outputs: [] }
    found.set(runId, run)
    const snapshot = raw.objectStore('snapshots').openCursor(seqRange(runId), 'prev')
    snapshot.onsuccess = () => {
      const cursor = snapshot.result
      if (!cursor) return
      run.snapshot = cursor.value
      const outputs = raw.objectStore('outputs').getAll(runRange(runId))
      outputs.onsuccess = () => {
        run.outputs = outputs.result
      }
    }
    const pages = raw.objectStore('pages').getAll(runRange(runId))
    pages.onsuccess = () => {
      run.pages = pages.result
    }
  }
}
