import type { Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { approvalJournal, commitEntries } from './approval-entries'
import { journal, outputRecord, runRecord, snapshotRecord } from './store-fixtures'

/** What `deleteRuns` (a purge) does in every store: ended runs go with all they keep; others stay. */
export function runPurgeContract(store: () => Store): void {
  describe('deleteRuns', () => {
    const stored = async (runId: string, status: 'completed' | 'running' | 'failed') => {
      await store().createRun(runRecord(runId, { status }))
      await store().commit({
        entries: journal(runId, 3),
        runs: [],
        snapshots: [snapshotRecord(runId, 2)],
        outputs: [outputRecord(runId, 1)],
        fences: [{ runId, epoch: 0 }],
      })
    }

    it('deletes an ended run with its journal, snapshots, outputs and approvals, and keeps the others', async () => {
      await stored('done', 'completed')
      await stored('live', 'running')
      const j = approvalJournal('done', 4)
      await commitEntries(store(), 'done', [j.required({ taskId: 'x' }), j.granted({ taskId: 'x' }, 'ann')])
      expect(await store().deleteRuns(['done', 'live', 'gone'])).toEqual(['done'])
      expect(await store().getRun('done')).toBeUndefined()
      expect(await store().readJournal('done')).toEqual([])
      expect(await store().latestSnapshot('done')).toBeUndefined()
      expect(await store().readOutputs('done')).toEqual([])
      expect(await store().listApprovals({ runId: 'done' })).toEqual([])
      expect((await store().getRun('live'))?.status).toBe('running')
      expect(await store().readJournal('live')).toHaveLength(3)
      expect(await store().latestSnapshot('live')).toMatchObject({ seq: 2 })
      expect(await store().readOutputs('live')).toHaveLength(1)
    })

    it('keeps an ended run with an open approval', async () => {
      await stored('done', 'failed')
      const j = approvalJournal('done', 4)
      await commitEntries(store(), 'done', [j.required({ taskId: 'x' })])
      expect(await store().deleteRuns(['done'])).toEqual([])
      expect(await store().readJournal('done')).toHaveLength(4)
    })

    it('refuses a run id that is not a string, deleting nothing', async () => {
      await stored('done', 'completed')
      await expect(store().deleteRuns(['done', 7 as never])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      })
      expect(await store().getRun('done')).toBeDefined()
    })
  })
}

/** What `countRecords` reports in every store: the records of runs, journals and approvals, by store. */
export function countRecordsContract(store: () => Store): void {
  it('counts the records of each store, and fewer after a purge', async () => {
    await store().createRun(runRecord('r1', { status: 'completed' }))
    await store().createRun(runRecord('r2'))
    await store().commit({
      entries: journal('r1', 2),
      runs: [],
      snapshots: [snapshotRecord('r1', 2)],
      outputs: [outputRecord('r1', 1)],
      fences: [{ runId: 'r1', epoch: 0 }],
    })
    const before = await store().countRecords()
    expect(before).toMatchObject({ runs: 2, snapshots: 1, outputs: 1, approvals: 0 })
    expect(before.journal ?? before.pages).toBeGreaterThan(0)
    await store().deleteRuns(['r1'])
    const after = await store().countRecords()
    expect(after).toMatchObject({ runs: 1, snapshots: 0, outputs: 0 })
    expect(after.journal ?? after.pages).toBe(0)
  })
}
