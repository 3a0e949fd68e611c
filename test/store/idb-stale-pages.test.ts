import { openDB } from 'idb'
import type { JournalEntry, Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { completedEntry, journal, runRecord } from './store-fixtures'
import { tempStores } from './temp-database'

/** Writes a journal page straight into the database, as an executor holding `epoch` would. */
async function writePage(store: Store, epoch: number, entries: JournalEntry[]): Promise<void> {
  const db = await openDB(store.name)
  const runId = entries[0]!.runId
  await db.add('pages', { runId, epoch, seq: entries[0]!.seq, last: entries.at(-1)!.seq, entries })
  db.close()
}

/** The journal pages stored for `runId`, stale or not, as `[epoch, first seq]`. */
async function storedPages(store: Store, runId: string): Promise<[number, number][]> {
  const db = await openDB(store.name)
  const pages = await db.getAll('pages')
  db.close()
  return pages.filter((p) => p.runId === runId && p.entries.length > 0).map((p) => [p.epoch, p.seq])
}

describe('indexedDbStore: the pages of a stale executor', () => {
  const temp = tempStores()

  it('leaves out every page an older epoch wrote after a newer claim, and keeps those written before it', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const first = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [first] })
    const second = await store.claimRun('r1', 'tab-b')
    // The first owner's writes land after the claim, before and after the new owner's own.
    await writePage(store, first.epoch, [completedEntry('r1', 3, 'stale')])
    await store.commit({ entries: journal('r1', 1, 3), runs: [], snapshots: [], fences: [second] })
    await writePage(store, first.epoch, [completedEntry('r1', 4, 'stale'), completedEntry('r1', 5, 'stale')])
    const third = await store.claimRun('r1', 'tab-c')
    await writePage(store, second.epoch, [completedEntry('r1', 4, 'stale')])

    expect(await storedPages(store, 'r1')).toEqual([
      [first.epoch, 1],
      [first.epoch, 3],
      [first.epoch, 4],
      [second.epoch, 3],
      [second.epoch, 4],
    ])
    expect(await store.readJournal('r1')).toEqual(journal('r1', 3))
    expect(await store.readEntries('r1', [3, 4, 5])).toEqual([completedEntry('r1', 3)])
    const [point] = await store.readRestorePoints(['r1'])
    expect(point!.entries).toEqual(journal('r1', 3))

    // The current owner goes on from seq 3, as if the stale pages were not there.
    await store.commit({ entries: journal('r1', 1, 4), runs: [], snapshots: [], fences: [third] })
    expect(await store.readJournal('r1', 2)).toEqual(journal('r1', 2, 3))
  })

  it('marks stale pages rolled back with the rest, and still leaves them out', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const first = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 3), runs: [], snapshots: [], fences: [first] })
    const second = await store.claimRun('r1', 'tab-b')
    await writePage(store, first.epoch, [completedEntry('r1', 4, 'stale')])
    await store.rollBack('r1', 1, second.epoch)
    const entries = await store.readJournal('r1')
    expect(entries.map((e) => [e.seq, e.rolledBack ?? false])).toEqual([
      [1, false],
      [2, true],
      [3, true],
    ])
  })

  it('commits a journal-only batch without waiting for its fence: a stale one is stored, refused, and never read', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const first = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [first] })
    const second = await store.claimRun('r1', 'tab-b')
    const stale = store.commit({ entries: journal('r1', 1, 3), runs: [], snapshots: [], fences: [first] })
    await expect(stale).rejects.toMatchObject({
      code: 'STALE_EXECUTOR',
      value: { runId: 'r1', epoch: first.epoch, current: second.epoch },
    })
    expect(await storedPages(store, 'r1')).toEqual([
      [first.epoch, 1],
      [first.epoch, 3],
    ])
    expect(await store.readJournal('r1')).toEqual(journal('r1', 2))
    expect(await store.readEntries('r1', [3])).toEqual([])
    expect((await store.readRestorePoints(['r1']))[0]!.entries).toEqual(journal('r1', 2))
    expect(await store.getRun('r1')).toEqual(second)
  })
})

/**
 * What a newer owner reads when it restores is what it goes on from: no page a stale executor
 * writes later may change what the reads return, or a replay would contradict what it did.
 * A rule without a mark (an older epoch's page left out from the first seq of a later epoch's
 * page on) fails the first and the last of these: only the claim knows which pages came before it.
 */
describe('indexedDbStore: takeovers and the reads after them', () => {
  const temp = tempStores()

  it('keeps what the newest owner read when an owner it took the run from writes after its claim', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const first = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [first] })
    const second = await store.claimRun('r1', 'tab-b')
    // The first owner's page lands after the second claim, the second owner's after the third.
    await writePage(store, first.epoch, [completedEntry('r1', 3, 'from tab-a')])
    const third = await store.claimRun('r1', 'tab-c')
    const [seen] = await store.readRestorePoints(['r1'])
    const stale = store.commit({
      entries: [completedEntry('r1', 3, 'from tab-b')],
      runs: [],
      snapshots: [],
      fences: [second],
    })
    await expect(stale).rejects.toMatchObject({ code: 'STALE_EXECUTOR' })
    expect(await storedPages(store, 'r1')).toEqual([
      [first.epoch, 1],
      [first.epoch, 3],
      [second.epoch, 3],
    ])
    expect((await store.readRestorePoints(['r1']))[0]).toEqual(seen)
    await store.commit({
      entries: [completedEntry('r1', seen!.entries.length + 1, 'from tab-c')],
      runs: [],
      snapshots: [],
      fences: [third],
    })
    const history = [...seen!.entries, completedEntry('r1', seen!.entries.length + 1, 'from tab-c')]
    expect(await store.readJournal('r1')).toEqual(history)
    expect(await store.readEntries('r1', [1, 2, 3, 4])).toEqual(history)
    expect((await store.readRestorePoints(['r1']))[0]!.entries).toEqual(history)
  })

  it('leaves out a page the old owner wrote after the claim, below the new owner’s first seq too', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const first = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [first] })
    const second = await store.claimRun('r1', 'tab-b')
    // Committed before the new owner's read, yet after its claim: neither it nor a later read sees it.
    await writePage(store, first.epoch, [completedEntry('r1', 3, 'stale')])
    expect((await store.readRestorePoints(['r1']))[0]!.entries).toEqual(journal('r1', 2))
    await store.commit({ entries: journal('r1', 2, 3), runs: [], snapshots: [], fences: [second] })
    await writePage(store, first.epoch, [completedEntry('r1', 4, 'stale')])
    expect(await store.readJournal('r1')).toEqual(journal('r1', 4))
    expect(await store.readEntries('r1', [3, 4])).toEqual(journal('r1', 2, 3))
    expect((await store.readRestorePoints(['r1']))[0]!.entries).toEqual(journal('r1', 4))
  })

  it('keeps a rollback made after a takeover when the old owner writes after it', async () => {
    const store = temp.open()
    await store.createRun(runRecord('r1'))
    const first = await store.claimRun('r1', 'tab-a')
    await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [first] })
    const second = await store.claimRun('r1', 'tab-b')
    await store.rollBack('r1', 1, second.epoch)
    // The new owner wrote no page yet; the old one goes on from where it was.
    await writePage(store, first.epoch, [completedEntry('r1', 3, 'stale')])
    const expected = [completedEntry('r1', 1), { ...completedEntry('r1', 2), rolledBack: true }]
    expect(await store.readJournal('r1')).toEqual(expected)
    expect(await store.readEntries('r1', [1, 2, 3])).toEqual(expected)
    expect((await store.readRestorePoints(['r1']))[0]!.entries).toEqual(expected)
  })
})
