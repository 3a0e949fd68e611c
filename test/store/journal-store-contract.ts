import { type JournalEntry, type JournalStore, type RunStore, StaleExecutorError } from 'spindle'
import { beforeEach, describe, expect, it } from 'vitest'
import { completedEntry, journal, outputRecord, runRecord, snapshotRecord } from './store-fixtures'

/**
 * The behaviour every `JournalStore` must show. Its writes are fenced by run records, so the
 * store under test is a `RunStore` too. `current` hands each test the fresh, empty store that
 * the caller's `beforeEach` made.
 */
export function journalStoreContract(current: () => JournalStore & RunStore): void {
  describe('JournalStore', () => {
    let store: JournalStore & RunStore
    beforeEach(() => {
      store = current()
    })

    it('writes entries, run records and snapshots together', async () => {
      await store.createRun(runRecord('r1'))
      await store.commit({
        entries: journal('r1', 3),
        runs: [runRecord('r1', { seq: 3, updatedAt: 2000 })],
        snapshots: [snapshotRecord('r1', 3)],
      })
      expect(await store.readJournal('r1')).toEqual(journal('r1', 3))
      expect(await store.getRun('r1')).toMatchObject({ seq: 3, updatedAt: 2000 })
      expect(await store.latestSnapshot('r1')).toEqual(snapshotRecord('r1', 3))
    })

    it('refuses a commit fenced with a stale epoch and writes nothing of it', async () => {
      await store.createRun(runRecord('r1'))
      await store.createRun(runRecord('r2'))
      const old = await store.claimRun('r1', 'tab-a')
      await store.commit({ entries: journal('r1', 2), runs: [{ ...old, seq: 2 }], snapshots: [] })
      const current = await store.claimRun('r1', 'tab-b')

      const refused = store.commit({
        entries: [completedEntry('r1', 3), completedEntry('r2', 1)],
        runs: [runRecord('r2'), { ...old, seq: 3, status: 'completed' }],
        snapshots: [snapshotRecord('r1', 3)],
      })
      await expect(refused).rejects.toBeInstanceOf(StaleExecutorError)
      await expect(refused).rejects.toMatchObject({
        code: 'STALE_EXECUTOR',
        value: { runId: 'r1', epoch: 1, current: 2 },
      })
      expect(await store.readJournal('r1')).toEqual(journal('r1', 2))
      expect(await store.readJournal('r2')).toEqual([])
      expect(await store.getRun('r1')).toEqual(current)
      expect(await store.latestSnapshot('r1')).toBeUndefined()

      await store.commit({
        entries: [completedEntry('r1', 3)],
        runs: [{ ...current, seq: 3 }],
        snapshots: [],
      })
      expect(await store.readJournal('r1')).toEqual(journal('r1', 3))
    })

    it('refuses a journal entry whose seq is stored already (a rollback kept it), writing nothing of the batch', async () => {
      await store.createRun(runRecord('r1'))
      const run = await store.claimRun('r1', 'tab-a')
      await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [] })
      await store.commit({ entries: journal('r1', 2, 3), runs: [], snapshots: [] })
      await store.rollBack('r1', 2, run.epoch)
      const before = await store.readJournal('r1')
      const refused = store.commit({
        entries: [completedEntry('r1', 3, 'again'), completedEntry('r2', 1)],
        runs: [],
        snapshots: [],
      })
      await expect(refused).rejects.toMatchObject({ code: 'STORAGE_FAILED' })
      expect(await store.readJournal('r1')).toEqual(before)
      expect(await store.readJournal('r2')).toEqual([])
    })

    it('commits entries without a run record unfenced', async () => {
      await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [] })
      expect(await store.readJournal('r1')).toHaveLength(2)
    })

    it('reads the journal after a sequence number, one run only, in seq order', async () => {
      await store.commit({ entries: journal('run-1', 5), runs: [], snapshots: [] })
      await store.commit({ entries: journal('run-10', 2), runs: [], snapshots: [] })
      await store.commit({ entries: journal('run-1', 2, 6), runs: [], snapshots: [] })
      const seqs = async (runId: string, afterSeq?: number) =>
        (await store.readJournal(runId, afterSeq)).map((e) => e.seq)
      expect(await seqs('run-1')).toEqual([1, 2, 3, 4, 5, 6, 7])
      expect(await seqs('run-1', 3)).toEqual([4, 5, 6, 7])
      expect(await seqs('run-1', 7)).toEqual([])
      expect(await seqs('run-10')).toEqual([1, 2])
      expect(await seqs('run-2')).toEqual([])
    })

    it('reads the restore points of many runs in one call: newest snapshot, outputs up to it, journal after it', async () => {
      await store.commit({
        entries: journal('r1', 4),
        outputs: [outputRecord('r1', 1), outputRecord('r1', 3)],
        runs: [],
        snapshots: [snapshotRecord('r1', 1), snapshotRecord('r1', 2)],
      })
      await store.commit({ entries: journal('r1', 1, 5), runs: [], snapshots: [] })
      await store.commit({
        entries: journal('r2', 2),
        outputs: [outputRecord('r2', 1)],
        runs: [],
        snapshots: [],
      })
      expect(await store.readRestorePoints(['r2', 'r1', 'none'])).toEqual([
        { runId: 'r2', snapshot: undefined, outputs: [], entries: journal('r2', 2) },
        {
          runId: 'r1',
          snapshot: snapshotRecord('r1', 2),
          outputs: [outputRecord('r1', 1)],
          entries: journal('r1', 3, 3),
        },
        { runId: 'none', snapshot: undefined, outputs: [], entries: [] },
      ])
      expect(await store.readRestorePoints([])).toEqual([])
    })

    it('reads restore points asked for right after a claim as the claim leaves them', async () => {
      await store.createRun(runRecord('r1'))
      const old = await store.claimRun('r1', 'tab-a')
      const before = store.commit({ entries: journal('r1', 2), runs: [], snapshots: [], fences: [old] })
      const claiming = store.claimRuns(['r1'], 'tab-b')
      const reading = store.readRestorePoints(['r1'])
      const stale = store.commit({ entries: journal('r1', 1, 3), runs: [], snapshots: [], fences: [old] })
      await before
      await expect(stale).rejects.toBeInstanceOf(StaleExecutorError)
      expect((await claiming).map((r) => r.epoch)).toEqual([old.epoch + 1])
      expect((await reading)[0]!.entries).toEqual(journal('r1', 2))
    })

    it('refuses restore points of a run id that is not a non-empty string', async () => {
      await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [] })
      await expect(store.readRestorePoints(['r1', ''])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        value: '',
      })
      await expect(store.readRestorePoints('r1' as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        value: 'r1',
      })
    })

    it('reads single journal entries by seq, from any page, one run only', async () => {
      await store.commit({ entries: journal('r1', 3), runs: [], snapshots: [] })
      await store.commit({ entries: journal('r1', 4, 4), runs: [], snapshots: [] })
      await store.commit({ entries: journal('r10', 9), runs: [], snapshots: [] })
      const seqs = async (runId: string, wanted: number[]) =>
        (await store.readEntries(runId, wanted)).map((e) => e.seq)
      expect(await seqs('r1', [6, 2, 4])).toEqual([2, 4, 6])
      expect(await seqs('r1', [1, 7, 8, 0])).toEqual([1, 7])
      expect(await seqs('r1', [])).toEqual([])
      expect(await seqs('r2', [1])).toEqual([])
      expect(await store.readEntries('r1', [5])).toEqual([completedEntry('r1', 5)])
    })

    it('reads rolled-back entries by seq as marked, each asked-for seq once', async () => {
      const run = await seededRun(store)
      await store.rollBack('r1', 3, run.epoch)
      const read = await store.readEntries('r1', [4, 2, 4, 2])
      expect(read.map((e) => [e.seq, e.rolledBack ?? false])).toEqual([
        [2, false],
        [4, true],
      ])
    })

    it('moves a run between listRuns filters when a commit rewrites its record', async () => {
      await store.createRun(runRecord('r1', { createdAt: 1 }))
      await store.createRun(runRecord('r2', { createdAt: 2 }))
      const run = await store.claimRun('r1', 'tab-a')
      await store.commit({
        entries: [completedEntry('r1', 1)],
        runs: [{ ...run, seq: 1, status: 'completed', updatedAt: 1001 }],
        snapshots: [],
      })
      const ids = async (status?: ('running' | 'completed')[]) =>
        (await store.listRuns({ status })).map((r) => r.runId)
      expect(await ids(['running'])).toEqual(['r2'])
      expect(await ids(['completed'])).toEqual(['r1'])
      expect(await ids()).toEqual(['r2', 'r1'])
    })

    it('finds the newest snapshot at or before maxSeq', async () => {
      await store.commit({
        entries: [],
        runs: [],
        snapshots: [snapshotRecord('r1', 2), snapshotRecord('r1', 4), snapshotRecord('r1', 6)],
      })
      await store.commit({ entries: [], runs: [], snapshots: [snapshotRecord('r10', 9)] })
      expect((await store.latestSnapshot('r1'))?.seq).toBe(6)
      expect((await store.latestSnapshot('r1', 5))?.seq).toBe(4)
      expect((await store.latestSnapshot('r1', 4))?.seq).toBe(4)
      expect(await store.latestSnapshot('r1', 1)).toBeUndefined()
      expect(await store.latestSnapshot('r2')).toBeUndefined()
    })

    it('rolls back: later entries are marked, kept and not deleted; later snapshots go', async () => {
      const run = await seededRun(store)
      await store.rollBack('r1', 2, run.epoch)
      const entries = await store.readJournal('r1')
      expect(entries.map((e) => [e.seq, e.rolledBack ?? false])).toEqual([
        [1, false],
        [2, false],
        [3, true],
        [4, true],
        [5, true],
      ])
      expect((await store.latestSnapshot('r1'))?.seq).toBe(2)
      expect(await store.readJournal('r2')).toEqual(journal('r2', 3))
    })

    it('a committed workflow.rolled-back entry marks what it undoes and drops later snapshots, in the same write', async () => {
      const run = await seededRun(store)
      const rolledBack: JournalEntry = {
        type: 'workflow.rolled-back',
        runId: 'r1',
        seq: 6,
        at: 1006,
        checkpointId: 'r1:2',
        toSeq: 2,
        lastSeq: 5,
        compensated: [],
      }
      await store.commit({
        entries: [rolledBack],
        runs: [{ ...run, seq: 6 }],
        snapshots: [snapshotRecord('r1', 6)],
      })
      const entries = await store.readJournal('r1')
      expect(entries.map((e) => [e.seq, e.rolledBack ?? false])).toEqual([
        [1, false],
        [2, false],
        [3, true],
        [4, true],
        [5, true],
        [6, false],
      ])
      expect((await store.latestSnapshot('r1'))?.seq).toBe(6)
      expect((await store.latestSnapshot('r1', 5))?.seq).toBe(2)
      expect((await store.readJournal('r2')).some((e) => e.rolledBack)).toBe(false)
    })

    it('a committed workflow.rolled-back entry drops the output records it undoes', async () => {
      const run = await seededRun(store)
      await store.commit({
        entries: [],
        outputs: [outputRecord('r1', 1, 'a'), outputRecord('r1', 4, 'b')],
        runs: [],
        snapshots: [],
      })
      await store.commit({
        entries: [
          {
            type: 'workflow.rolled-back',
            runId: 'r1',
            seq: 6,
            at: 1006,
            checkpointId: 'r1:2',
            toSeq: 2,
            lastSeq: 5,
            compensated: [],
          },
        ],
        runs: [{ ...run, seq: 6 }],
        snapshots: [],
      })
      expect(await store.readOutputs('r1')).toEqual([outputRecord('r1', 1, 'a')])
    })

    it('keeps output records by [runId, key], written with their commit, read in seq order up to maxSeq', async () => {
      await store.commit({
        entries: journal('r1', 3),
        outputs: [outputRecord('r1', 3, 'b'), outputRecord('r1', 1, 'a')],
        runs: [],
        snapshots: [],
      })
      await store.commit({ entries: [], outputs: [outputRecord('r10', 2, 'a')], runs: [], snapshots: [] })
      // The same key again (a task completed anew after a rollback) replaces the record.
      await store.commit({ entries: [], outputs: [outputRecord('r1', 5, 'a')], runs: [], snapshots: [] })
      expect(await store.readOutputs('r1')).toEqual([outputRecord('r1', 3, 'b'), outputRecord('r1', 5, 'a')])
      expect(await store.readOutputs('r1', 4)).toEqual([outputRecord('r1', 3, 'b')])
      expect(await store.readOutputs('r1', 3)).toEqual([outputRecord('r1', 3, 'b')])
      expect(await store.readOutputs('r1', 2)).toEqual([])
      expect(await store.readOutputs('r10')).toEqual([outputRecord('r10', 2, 'a')])
      expect(await store.readOutputs('r2')).toEqual([])
    })

    it('writes no output record of a refused commit', async () => {
      await store.createRun(runRecord('r1'))
      const old = await store.claimRun('r1', 'tab-a')
      await store.claimRun('r1', 'tab-b')
      const refused = store.commit({
        entries: [completedEntry('r1', 1)],
        outputs: [outputRecord('r1', 1)],
        runs: [],
        snapshots: [],
        fences: [{ runId: 'r1', epoch: old.epoch }],
      })
      await expect(refused).rejects.toBeInstanceOf(StaleExecutorError)
      expect(await store.readOutputs('r1')).toEqual([])
    })

    it('rolls back output records: those after the checkpoint go, the others stay', async () => {
      const run = await seededRun(store)
      await store.commit({
        entries: [],
        outputs: [outputRecord('r1', 1), outputRecord('r1', 3), outputRecord('r2', 3)],
        runs: [],
        snapshots: [],
        fences: [{ runId: 'r1', epoch: run.epoch }],
      })
      await store.rollBack('r1', 2, run.epoch)
      expect(await store.readOutputs('r1')).toEqual([outputRecord('r1', 1)])
      expect(await store.readOutputs('r2')).toEqual([outputRecord('r2', 3)])
    })

    it('refuses a rollback fenced with a stale epoch and changes nothing', async () => {
      const run = await seededRun(store)
      await store.claimRun('r1', 'tab-b')
      await expect(store.rollBack('r1', 2, run.epoch)).rejects.toBeInstanceOf(StaleExecutorError)
      expect((await store.readJournal('r1')).some((e) => e.rolledBack)).toBe(false)
      expect((await store.latestSnapshot('r1'))?.seq).toBe(4)
    })

    it('hands out copies: mutating what it read does not change the store', async () => {
      await store.commit({
        entries: [completedEntry('r1', 1, { n: 1 })],
        outputs: [outputRecord('r1', 1)],
        runs: [],
        snapshots: [snapshotRecord('r1', 1)],
      })
      ;((await store.readJournal('r1'))[0] as { output: { n: number } }).output.n = 2
      ;((await store.readEntries('r1', [1]))[0] as { output: { n: number } }).output.n = 3
      ;(await store.readOutputs('r1'))[0]!.key = 'changed'
      ;(await store.latestSnapshot('r1'))!.seq = 7
      expect(await store.readJournal('r1')).toEqual([completedEntry('r1', 1, { n: 1 })])
      expect(await store.readEntries('r1', [1])).toEqual([completedEntry('r1', 1, { n: 1 })])
      expect(await store.readOutputs('r1')).toEqual([outputRecord('r1', 1)])
      expect(await store.latestSnapshot('r1')).toEqual(snapshotRecord('r1', 1))
    })
  })
}

/** Run `r1` with entries 1…5 and snapshots at 2 and 4, claimed once; `r2` with 3 entries. */
async function seededRun(store: JournalStore & RunStore) {
  await store.createRun(runRecord('r1'))
  const run = await store.claimRun('r1', 'tab-a')
  await store.commit({
    entries: [...journal('r1', 5), ...journal('r2', 3)],
    runs: [{ ...run, seq: 5 }],
    snapshots: [snapshotRecord('r1', 2), snapshotRecord('r1', 4)],
  })
  return run
}
