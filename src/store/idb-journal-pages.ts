import type { JournalEntry } from './ports/journal-store'

/**
 * The entries one commit wrote for one run, stored as one record keyed `[runId, epoch, seq]`:
 * IndexedDB pays per request, so a group commit of 2,000 entries is one put per run, not 2,000.
 * A claim of the run writes an entry-less page too, its mark (see `claimMark`).
 */
export interface JournalPage {
  runId: string
  /** The fencing epoch the page was written under; `UNFENCED` when its commit fenced nothing. */
  epoch: number
  /** The first entry's seq; `MARK_SEQ` for a claim's mark. */
  seq: number
  /** The last entry's seq; for a mark, the first seq of its epoch's last page written before it. */
  last: number
  entries: JournalEntry[]
}

/** The epoch of a page whose commit named no epoch for its run (and of pages stored before version 4). */
export const UNFENCED = -1

/** The seq of a claim's mark: after every page of the epoch it closes. */
export const MARK_SEQ = Number.POSITIVE_INFINITY

/**
 * The page a claim writes to close the epoch it takes the run from: `lastSeq` is the first seq
 * of that epoch's last page (the store has none after it yet), `-Infinity` when it wrote none.
 * Every page of the epoch after that one was written by an executor that had lost the run, and
 * no read returns it: a commit then needs no read of the run record before it may commit.
 * (One executor holds an epoch, and it writes seqs upward, so seq order is write order within it.)
 */
export function claimMark(runId: string, epoch: number, lastSeq: number): JournalPage {
  return { runId, epoch, seq: MARK_SEQ, last: lastSeq, entries: [] }
}

/** One page per run of a batch's entries, in order, each under the epoch its run is fenced with. */
export function pagesOf(
  entries: readonly JournalEntry[],
  epochs: ReadonlyMap<string, number>,
): JournalPage[] {
  const byRun = new Map<string, JournalEntry[]>()
  for (const entry of entries) {
    const list = byRun.get(entry.runId)
    if (list) list.push(entry)
    else byRun.set(entry.runId, [entry])
  }
  return [...byRun].map(([runId, list]) => ({
    runId,
    epoch: epochs.get(runId) ?? UNFENCED,
    seq: list[0]!.seq,
    last: list.at(-1)!.seq,
    entries: list,
  }))
}

/**
 * The pages of one run that count, in `seq` order, from all of its records in key order (by
 * epoch, then seq): a page after its epoch's mark's `last` was written by a stale executor, and
 * is left out (guarantee 3); marks are left out too. Legacy and unfenced pages always count.
 */
export function livePages(records: readonly JournalPage[]): JournalPage[] {
  const live: JournalPage[] = []
  // Walking backwards, an epoch's mark comes before its pages.
  let epoch = Number.NaN
  let upTo = Number.POSITIVE_INFINITY
  let sorted = true
  for (let i = records.length - 1; i >= 0; i--) {
    const page = records[i]!
    if (page.epoch !== epoch) {
      epoch = page.epoch
      upTo = Number.POSITIVE_INFINITY
    }
    if (page.seq === MARK_SEQ) {
      upTo = page.last
      continue
    }
    if (page.seq > upTo) continue
    if (live.length > 0 && live.at(-1)!.seq < page.seq) sorted = false
    live.push(page)
  }
  live.reverse()
  // Pages of successive owners come in seq order already; unfenced ones may lie between them.
  return sorted ? live : live.sort((a, b) => a.seq - b.seq)
}

/** The entries of a run's live pages (in seq order) with `seq > after`, in `seq` order. */
export function entriesAfter(pages: readonly JournalPage[], after: number): JournalEntry[] {
  const entries: JournalEntry[] = []
  for (const page of pages) {
    if (page.last <= after) continue
    for (const entry of page.entries) if (entry.seq > after) entries.push(entry)
  }
  return entries
}
