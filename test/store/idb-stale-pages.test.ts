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
