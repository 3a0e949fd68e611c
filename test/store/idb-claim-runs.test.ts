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

/** Each run's journal (one page per entry), under the epoch of a claim by `tab-a`. */
async function runsWithJournals(store: Store, lengths: Record<string, number>): Promise<Map<string, number>> {
  const epochs = new Map<string, number>()
  for (const [runId, length] of Object.entries(lengths)) {
    await store.createRun(runRecord(runId, { epoch: 0 }))
    const claimed = await store.claimRun(runId, 'tab-a')
    for (const entry of journal(runId, length))
      await store.commit({ entries: [entry], runs: [], snapshots: [], fences: [claimed] })
    epochs.set(runId, claimed.epoch)
  }
  return epochs
}

/**
 * `claimRuns` reads the runs and their page keys in bulk when they lie close together, and one
 * run at a time when they do not: either way each claim closes the epoch it takes the run from.
 */
describe('indexedDbStore: claimRuns closes each run’s epoch', () => {
  const temp = tempStores()

  const cases: [string, Record<string, number>, string[]][] = [
    ['runs side by side, short journals (read in bulk)', { a1: 2, a2: 0, a3: 1 }, ['a3', 'a1', 'a2']],
    ['a run with a long journal (read run by run)', { b1: 2, b2: 12 }, ['b1', 'b2']],
    [
      'many other runs between them (read run by run)',
      { c0: 1, c1: 1, c2: 1, c3: 1, c4: 1, c5: 1, c6: 1, c7: 1, c8: 1, c9: 1 },
      ['c0', 'c9'],
    ],
  ]

  for (const [title, lengths, claimed] of cases) {
    it(`leaves out the pages written after the claim: ${title}`, async () => {
      const store = temp.open()
      const epochs = await runsWithJournals(store, lengths)
      const records = await store.claimRuns([...claimed, 'ghost'], 'tab-b')
      expect(records.map((r) => [r.runId, r.epoch, r.executor])).toEqual(
        claimed.map((runId) => [runId, epochs.get(runId)! + 1, 'tab-b']),
      )
      for (const runId of Object.keys(lengths)) {
        const length = lengths[runId]!
        await writePage(store, epochs.get(runId)!, [completedEntry(runId, length + 1, 'late')])
        // A run not claimed is still its owner's: its page counts.
        const expected = claimed.includes(runId)
          ? journal(runId, length)
          : [...journal(runId, length), completedEntry(runId, length + 1, 'late')]
        expect(await store.readJournal(runId)).toEqual(expected)
        expect((await store.readRestorePoints([runId]))[0]!.entries).toEqual(expected)
        expect(await store.getRun(runId)).toMatchObject({
          epoch: epochs.get(runId)! + (claimed.includes(runId) ? 1 : 0),
        })
      }
    })
  }

  it('claims a run named twice once', async () => {
    const store = temp.open()
    const epochs = await runsWithJournals(store, { d1: 1 })
    const records = await store.claimRuns(['d1', 'd1'], 'tab-b')
    expect(records.map((r) => r.epoch)).toEqual([epochs.get('d1')! + 1, epochs.get('d1')! + 1])
    expect(await store.getRun('d1')).toMatchObject({ epoch: epochs.get('d1')! + 1, executor: 'tab-b' })
  })
})
