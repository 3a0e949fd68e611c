import type { Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { approvalJournal, commitEntries } from './approval-entries'
import { runRecord } from './store-fixtures'

const a = { taskId: 'approve' }

/** The `ApprovalStore` behaviour every store shows: the inbox projected by `commit`. */
export function approvalStoreContract(store: () => Store): void {
  describe('ApprovalStore', () => {
    it('lists an approval once its approval.required commits, with the fields of the event and the run', async () => {
      await store().createRun(runRecord('r1', { definitionId: 'orders' }))
      const j = approvalJournal('r1')
      const required = j.required(a, { approvers: ['ann'], groups: ['ops'], quorum: 2, dueAt: 9000 })
      expect(await store().listApprovals()).toEqual([])
      await commitEntries(store(), 'r1', [required])
      expect(await store().listApprovals()).toEqual([
        {
          approvalId: 'r1:approve',
          runId: 'r1',
          definitionId: 'orders',
          taskId: 'approve',
          title: 'Approve approve',
          level: 0,
          approvers: ['ann'],
          groups: ['ops'],
          quorum: 2,
          votes: [],
          createdAt: required.at,
          dueAt: 9000,
          status: 'open',
        },
      ])
    })

    it('follows votes, escalation (dueAt reset) and the decision', async () => {
      await store().createRun(runRecord('r1'))
      const j = approvalJournal('r1')
      await commitEntries(store(), 'r1', [
        j.required(a, { dueAt: 5000, quorum: 2 }),
        j.voted(a, 'ann', 'approved', 'ok'),
      ])
      const [open] = await store().listApprovals()
      expect(open!.votes).toEqual([
        { by: 'ann', decision: 'approved', at: expect.any(Number), comment: 'ok', level: 0 },
      ])
      await commitEntries(store(), 'r1', [j.expired(a)])
      expect((await store().listApprovals())[0]!.status).toBe('expired')
      await commitEntries(store(), 'r1', [j.escalated({ ...a, level: 1 }, { groups: ['finance'] })])
      const [escalated] = await store().listApprovals()
      expect(escalated).toMatchObject({ status: 'open', level: 1, groups: ['finance'], approvers: [] })
      expect(escalated).not.toHaveProperty('dueAt')
      await commitEntries(store(), 'r1', [
        j.voted({ ...a, level: 1 }, 'fay'),
        j.granted({ ...a, level: 1 }, 'fay'),
      ])
      const [granted] = await store().listApprovals()
      expect(granted!.status).toBe('approved')
      expect(granted!.votes.map((v) => [v.by, v.level])).toEqual([
        ['ann', 0],
        ['fay', 1],
      ])
    })

    it('keeps one approval per forEach item, and a rejection closes only its own', async () => {
      await store().createRun(runRecord('r1'))
      const j = approvalJournal('r1')
      const lines = [0, 1, 2].map((index) => ({ taskId: 'line', index }))
      await commitEntries(store(), 'r1', [
        ...lines.map((line) => j.required(line)),
        j.rejected(lines[1]!, 'ann'),
      ])
      const items = await store().listApprovals({ runId: 'r1' })
      expect(items.map((i) => [i.approvalId, i.index, i.status])).toEqual([
        ['r1:line:0', 0, 'open'],
        ['r1:line:1', 1, 'rejected'],
        ['r1:line:2', 2, 'open'],
      ])
    })

    it('filters by status, run, definition, due time, groups and decider, in due order, up to a limit', async () => {
      await store().createRun(runRecord('r1', { definitionId: 'orders', createdAt: 1 }))
      await store().createRun(runRecord('r2', { definitionId: 'refunds', createdAt: 2 }))
      const j1 = approvalJournal('r1')
      const j2 = approvalJournal('r2', 1, 2000)
      await commitEntries(store(), 'r1', [
        j1.required({ taskId: 'late' }, { approvers: ['ann'], dueAt: 8000 }),
        j1.required({ taskId: 'never' }, { approvers: [], groups: ['ops'] }),
        j1.required({ taskId: 'soon' }, { approvers: ['bob'], dueAt: 3000 }),
      ])
      await commitEntries(store(), 'r2', [
        j2.required({ taskId: 'soon' }, { approvers: ['ann'], groups: ['finance'], dueAt: 3000 }),
        j2.voted({ taskId: 'soon' }, 'ann'),
        j2.required({ taskId: 'done' }, { approvers: ['ann'], dueAt: 1000 }),
        j2.granted({ taskId: 'done' }, 'ann'),
      ])
      const ids = async (query: Parameters<Store['listApprovals']>[0]) =>
        (await store().listApprovals(query)).map((i) => i.approvalId)
      // By dueAt (none last), then createdAt: r1:soon was asked for before r2:soon.
      expect(await ids({})).toEqual(['r2:done', 'r1:soon', 'r2:soon', 'r1:late', 'r1:never'])
      expect(await ids({ status: ['open'] })).toEqual(['r1:soon', 'r2:soon', 'r1:late', 'r1:never'])
      expect(await ids({ status: ['approved', 'rejected'] })).toEqual(['r2:done'])
      expect(await ids({ status: [] })).toEqual([])
      expect(await ids({ runId: 'r2' })).toEqual(['r2:done', 'r2:soon'])
      expect(await ids({ definitionId: 'orders', status: ['open'] })).toEqual([
        'r1:soon',
        'r1:late',
        'r1:never',
      ])
      expect(await ids({ dueBefore: 3000 })).toEqual(['r2:done'])
      expect(await ids({ dueBefore: 3001, status: ['open'] })).toEqual(['r1:soon', 'r2:soon'])
      expect(await ids({ groups: ['ops', 'finance'] })).toEqual(['r2:soon', 'r1:never'])
      // ann voted on r2:soon already; r2:done is decided; r1:never is hers through `ops`.
      expect(await ids({ decider: { principal: 'ann', groups: ['ops'] } })).toEqual(['r1:late', 'r1:never'])
      expect(await ids({ decider: { principal: 'bob', groups: [] } })).toEqual(['r1:soon'])
      expect(await ids({ status: ['open'], limit: 2 })).toEqual(['r1:soon', 'r2:soon'])
      expect(await ids({ decider: { principal: 'ann', groups: ['ops'] }, limit: 1 })).toEqual(['r1:late'])
      expect(await ids({ limit: 0 })).toEqual([])
    })

    it('walks past many approvals that fail the filter to fill the limit', async () => {
      await store().createRun(runRecord('r1'))
      const j = approvalJournal('r1')
      const entries = Array.from({ length: 700 }, (_, i) =>
        j.required(
          { taskId: `t${String(i).padStart(3, '0')}` },
          { approvers: [i % 300 === 299 ? 'zed' : 'ann'], dueAt: 10_000 + i },
        ),
      )
      await commitEntries(store(), 'r1', entries)
      const mine = await store().listApprovals({
        status: ['open'],
        decider: { principal: 'zed', groups: [] },
      })
      expect(mine.map((i) => i.taskId)).toEqual(['t299', 't599'])
      const first = await store().listApprovals({ decider: { principal: 'zed', groups: [] }, limit: 1 })
      expect(first.map((i) => i.taskId)).toEqual(['t299'])
      expect(await store().listApprovals({ status: ['open'], limit: 3 })).toHaveLength(3)
      expect(await store().listApprovals({ status: ['open'] })).toHaveLength(700)
    })

    it('expires the open approvals of a run that ends, and of a task skipped or failed; decided ones stay', async () => {
      for (const runId of ['r1', 'r2']) await store().createRun(runRecord(runId))
      const j1 = approvalJournal('r1')
      await commitEntries(store(), 'r1', [
        j1.required({ taskId: 'x' }),
        j1.required({ taskId: 'y' }),
        j1.required({ taskId: 'z' }),
        j1.granted({ taskId: 'z' }, 'ann'),
        j1.other({
          type: 'task.failed',
          taskId: 'other',
          attempt: 1,
          error: { code: 'E', message: 'e' },
          final: true,
        }),
      ])
      expect((await store().listApprovals({ status: ['open'] })).map((i) => i.taskId)).toEqual(['x', 'y'])
      await commitEntries(store(), 'r1', [j1.other({ type: 'task.skipped', taskId: 'x', reason: 'manual' })])
      expect((await store().listApprovals({ status: ['open'] })).map((i) => i.taskId)).toEqual(['y'])
      await commitEntries(store(), 'r1', [j1.other({ type: 'workflow.cancelled', reason: 'no' })])
      const j2 = approvalJournal('r2')
      await commitEntries(store(), 'r2', [j2.required({ taskId: 'x' })])
      const statuses = (await store().listApprovals()).map((i) => [i.approvalId, i.status])
      expect(statuses.sort()).toEqual([
        ['r1:x', 'expired'],
        ['r1:y', 'expired'],
        ['r1:z', 'approved'],
        ['r2:x', 'open'],
      ])
    })

    it('follows a rollback: what came after the checkpoint is undone, an approval asked for after it expires', async () => {
      await store().createRun(runRecord('r1'))
      const j = approvalJournal('r1')
      const shown = { description: 'Order A-1', data: { lines: [1, 2] }, form: { type: 'object' } }
      const first = j.required({ taskId: 'x' }, shown)
      await commitEntries(store(), 'r1', [
        first,
        j.voted({ taskId: 'x' }, 'ann'),
        j.required({ taskId: 'y' }),
      ])
      await commitEntries(store(), 'r1', [j.other({ type: 'workflow.cancelled' })])
      expect((await store().listApprovals({ status: ['open'] })).map((i) => i.taskId)).toEqual([])
      const rolledBack = j.other({
        type: 'workflow.rolled-back',
        toSeq: first.seq,
        checkpointId: 'c',
        lastSeq: j.seq - 1,
      })
      await commitEntries(store(), 'r1', [rolledBack])
      const items = await store().listApprovals()
      expect(items.map((i) => [i.taskId, i.status, i.votes.length])).toEqual([
        ['x', 'open', 0],
        ['y', 'expired', 0],
      ])
      expect(items[0]).toMatchObject({ title: 'Approve x', ...shown })
      // Asked for again after the rollback: open anew.
      await commitEntries(store(), 'r1', [j.required({ taskId: 'y' })])
      expect((await store().listApprovals({ status: ['open'] })).map((i) => i.taskId)).toEqual(['x', 'y'])
    })

    it('changes nothing when the commit is refused', async () => {
      await store().createRun(runRecord('r1'))
      const j = approvalJournal('r1')
      await commitEntries(store(), 'r1', [j.required(a)])
      await store().claimRun('r1', 'tab-b')
      const stale = commitEntries(store(), 'r1', [j.granted(a, 'ann'), j.required({ taskId: 'other' })], 0)
      await expect(stale).rejects.toMatchObject({ code: 'STALE_EXECUTOR' })
      expect((await store().listApprovals()).map((i) => [i.approvalId, i.status])).toEqual([
        ['r1:approve', 'open'],
      ])
    })

    it('deletes the approvals of the runs named', async () => {
      for (const runId of ['r1', 'r2']) {
        await store().createRun(runRecord(runId))
        const j = approvalJournal(runId)
        await commitEntries(store(), runId, [j.required({ taskId: 'x' }), j.required({ taskId: 'y' })])
      }
      expect(await store().deleteApprovals(['r1', 'gone'])).toBe(2)
      expect((await store().listApprovals()).map((i) => i.approvalId)).toEqual(['r2:x', 'r2:y'])
    })
  })
}
