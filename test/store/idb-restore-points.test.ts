import { openDB } from 'idb'
import type { Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { completedEntry, journal, outputRecord, runRecord, snapshotRecord } from './store-fixtures'
import { tempStores } from './temp-database'

/**
 * A run with `length` entries, one commit each (a snapshot and two outputs at seq 2 when
 * `snapshot`), claimed by `tab-b` after `tab-a` wrote it, and a page `tab-a` wrote after that.
 */
async function storeRun(store: Store, runId: string, length: number, snapshot: boolean): Promise<void> {
  await store.createRun(runRecord(runId, { epoch: 0 }))
  const first = await store.claimRun(runId, 'tab-a')
  for (const entry of journal(runId, length)) {
    const snap = snapshot && entry.seq === 2
    await store.commit({
      entries: [entry],
      runs: [],
      snapshots: snap ? [snapshotRecord(runId, 2)] : [],
      outputs: snap ? [outputRecord(runId, 2), outputRecord(runId, 1)] : [],
      fences: [first],
    })
  }
  await store.claimRun(runId, 'tab-b')
  const db = await openDB(store.name)
  const late = completedEntry(runId, length + 1, 'late')
  await db.add('pages', { runId, epoch: first.epoch, seq: late.seq, last: late.seq, entries: [late] })
  db.close()
}

/** A run's restore point from the store's one-run reads. */
async function pointOf(store: Store, runId: string) {
  const snapshot = await store.latestSnapshot(runId)
  const upTo = snapshot?.seq ?? 0
  return {
    runId,
    snapshot,
    outputs: snapshot ? await store.readOutputs(runId, upTo) : [],
    entries: await store.readJournal(runId, upTo),
  }
}

/**
 * `readRestorePoints` reads runs stored side by side in bulk, others one by one: either way
 * each run's point is what the one-run reads return.
 */
describe('indexedDbStore: readRestorePoints, in bulk or run by run', () => {
  const temp = tempStores()

  const cases: [string, [string, number, boolean][], string[]][] = [
    [
      'runs side by side, short journals (in bulk)',
      [
        ['a1', 2, false],
        ['a2', 3, true],
        ['a3', 0, false],
      ],
      ['a3', 'a1', 'a2'],
    ],
    [
      'a run with a long journal (run by run)',
      [
        ['b1', 3, true],
        ['b2', 20, false],
      ],
      ['b2', 'b1'],
    ],
    [
      'many other runs between them (run by run)',
      Array.from({ length: 8 }, (_, i): [string, number, boolean] => [`c${i}`, 2, i % 2 === 1]),
      ['c0', 'c7'],
    ],
  ]

  for (const [title, runs, asked] of cases) {
    it(`returns each run's point as read alone: ${title}`, async () => {
      const store = temp.open()
      for (const [runId, length, snapshot] of runs) await storeRun(store, runId, length, snapshot)
      const expected = await Promise.all(asked.map((runId) => pointOf(store, runId)))
      expect(expected.some((p) => p.snapshot && p.outputs.length === 2)).toBe(true)
      expect(await store.readRestorePoints([...asked, 'ghost'])).toEqual([
        ...expected,
        { runId: 'ghost', snapshot: undefined, outputs: [], entries: [] },
      ])
    })
  }
})
