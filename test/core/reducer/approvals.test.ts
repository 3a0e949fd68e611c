import { describe, expect, it } from 'vitest'
import { approvals } from '../../../src/core/reducer/approvals'
import type { RunEvent } from '../../../src/core/run-reducer'
import { can } from '../../../src/core/run-state'
import type { ApprovalLevel, ApprovalWait } from '../../../src/types'
import { chain, fed, startedRun, types } from './reducer-fixtures'

/** An approval wait as the `approval` action asks for it, entered at 20. */
function approval(levels: Partial<ApprovalLevel>[], extra: Partial<ApprovalWait> = {}): ApprovalWait {
  const full = levels.map((l) => ({ approvers: [], groups: [], quorum: 1, onTimeout: 'reject', ...l }))
  const first = full[0]!.timeoutMs
  return {
    kind: 'approval',
    title: 'Ship it?',
    levels: full as ApprovalLevel[],
    selfApproval: false,
    level: 0,
    votes: [],
    ...(first !== undefined && { until: 20 + first }),
    ...extra,
  }
}

/** A run whose task `a` waits on `wait` since 20. */
function waitingOn(wait: ApprovalWait) {
  const run = startedRun(chain())
  const entered = run.feed({ type: 'task.waiting', taskId: 'a', wait, at: 20 })
  return { ...run, entered }
}

const vote = (by: string, decision: 'approved' | 'rejected', at: number, extra = {}): RunEvent => ({
  type: 'approval.voted',
  taskId: 'a',
  level: 0,
  by,
  decision,
  at,
  ...extra,
})

describe('approvals', () => {
  it('entering the wait records approval.required and arms the level deadline', () => {
    const { s, entered } = waitingOn(
      approval([{ approvers: ['ann', 'bob'], quorum: 'all', timeoutMs: 100 }], { data: { total: 5 } }),
    )
    expect(types(entered)).toEqual(['task.waiting', 'approval.required'])
    expect(entered.records[1]).toMatchObject({
      taskId: 'a',
      level: 0,
      title: 'Ship it?',
      data: { total: 5 },
      approvers: ['ann', 'bob'],
      groups: [],
      quorum: 2,
      dueAt: 120,
    })
    expect(entered.records[1]).not.toHaveProperty('index')
    expect(entered.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 120 }])
    expect(s.tasks.a!.status).toBe('waiting')
  })

  it('one reject ends it: the task completes with approved false, its timer disarmed', () => {
    const { s, feed } = waitingOn(approval([{ approvers: ['ann', 'bob'], quorum: 2, timeoutMs: 100 }]))
    feed(vote('ann', 'approved', 30))
    const step = feed(vote('bob', 'rejected', 40, { comment: 'too dear' }))
    expect(types(step)).toEqual(['approval.voted', 'approval.rejected', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ level: 0, by: 'bob' })
    expect(step.commands).toContainEqual({ type: 'disarm', taskId: 'a' })
    expect(s.tasks.a!.status).toBe('completed')
    expect(step.records[2]).toMatchObject({
      output: {
        approved: false,
        decision: 'rejected',
        by: 'bob',
        at: 40,
        comment: 'too dear',
        level: 0,
        timedOut: false,
        votes: [
          { by: 'ann', decision: 'approved', at: 30, level: 0 },
          { by: 'bob', decision: 'rejected', at: 40, level: 0, comment: 'too dear' },
        ],
      },
    })
  })

  it('grants it at the quorum, with the deciding vote and its form', () => {
    const { s, feed } = waitingOn(approval([{ groups: ['finance'], quorum: 2 }]))
    const first = feed(vote('ann', 'approved', 30))
    expect(types(first)).toEqual(['approval.voted'])
    expect(s.tasks.a!.status).toBe('waiting')
    const second = feed(vote('bob', 'approved', 40, { form: { ok: true } }))
    expect(types(second)).toEqual(['approval.voted', 'approval.granted', 'task.completed', 'task.started'])
    expect(second.records[2]).toMatchObject({
      output: { approved: true, decision: 'approved', by: 'bob', form: { ok: true }, level: 0 },
    })
  })

  it('quorum "all" waits for every listed approver', () => {
    const { s, feed } = waitingOn(approval([{ approvers: ['ann', 'bob'], groups: ['ops'], quorum: 'all' }]))
    feed(vote('ann', 'approved', 30))
    // A group member's approval is not one of the listed approvers'.
    feed(vote('carl', 'approved', 35))
    expect(s.tasks.a!.status).toBe('waiting')
    expect(types(feed(vote('bob', 'approved', 40)))).toContain('approval.granted')
  })

  it('takes a vote only for an open approval, at its level, once per person', () => {
    const { s, feed } = waitingOn(approval([{ approvers: ['ann', 'bob'], quorum: 2 }]))
    expect(can(s, vote('ann', 'approved', 30))).toBe(true)
    feed(vote('ann', 'approved', 30))
    expect(can(s, vote('ann', 'approved', 31))).toBe(false)
    expect(can(s, vote('ann', 'rejected', 31))).toBe(false)
    expect(can(s, vote('bob', 'approved', 31, { level: 1 }))).toBe(false)
    expect(can(s, vote('bob', 'approved', 31, { index: 0 }))).toBe(false)
    expect(can(s, vote('bob', 'approved', 31, { taskId: 'b' }))).toBe(false)
    expect(can(s, vote('bob', 'maybe' as 'approved', 31))).toBe(false)
    expect(can(s, vote(7 as unknown as string, 'approved', 31))).toBe(false)
    feed(vote('bob', 'approved', 40))
    expect(s.tasks.a!.status).toBe('completed')
    expect(can(s, vote('carl', 'approved', 41))).toBe(false)
  })

  it('refuses a vote for a task that has not reached its wait yet', () => {
    const { s } = startedRun(chain())
    expect(s.tasks.a!.status).toBe('running')
    expect(can(s, vote('ann', 'approved', 30))).toBe(false)
  })

  it('at a level timeout: expired, then escalated to the next level with its clock reset', () => {
    const again = waitingOn(
      approval([
        { approvers: ['ann'], timeoutMs: 100, onTimeout: 'escalate' },
        { groups: ['finance'], quorum: 1, timeoutMs: 500, onTimeout: 'reject' },
      ]),
    )
    const fired = again.feed({ type: 'timer.fired', taskId: 'a', at: 120 })
    expect(types(fired)).toEqual(['timer.fired', 'approval.expired', 'approval.escalated'])
    expect(fired.records[1]).toMatchObject({ level: 0 })
    expect(fired.records[2]).toMatchObject({ level: 1, groups: ['finance'], quorum: 1, dueAt: 620 })
    expect(fired.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 620 }])
    const wait = again.s.tasks.a!.wait as ApprovalWait
    expect(wait).toMatchObject({ level: 1, until: 620 })
    // Votes are for the level deciding now.
    expect(can(again.s, vote('dan', 'approved', 130))).toBe(false)
    expect(can(again.s, vote('dan', 'approved', 130, { level: 1 }))).toBe(true)
    const last = again.feed({ type: 'timer.fired', taskId: 'a', at: 620 })
    expect(types(last)).toEqual([
      'timer.fired',
      'approval.expired',
      'approval.rejected',
      'task.completed',
      'task.started',
    ])
    expect(last.records[2]).toMatchObject({ level: 1, timedOut: true })
    expect(last.records[2]).not.toHaveProperty('by')
    expect(last.records[3]).toMatchObject({
      output: { approved: false, decision: 'rejected', level: 1, timedOut: true, at: 620 },
    })
  })

  it("onTimeout 'approve' grants it at the deadline", () => {
    const { feed } = waitingOn(approval([{ approvers: ['ann'], timeoutMs: 100, onTimeout: 'approve' }]))
    const fired = feed({ type: 'timer.fired', taskId: 'a', at: 120 })
    expect(types(fired)).toEqual([
      'timer.fired',
      'approval.expired',
      'approval.granted',
      'task.completed',
      'task.started',
    ])
    expect(fired.records[3]).toMatchObject({ output: { approved: true, timedOut: true, votes: [] } })
  })

  it("onTimeout 'fail' fails the task with TIMEOUT, without a retry", () => {
    const { s, feed } = waitingOn(approval([{ approvers: ['ann'], timeoutMs: 100, onTimeout: 'fail' }]))
    const fired = feed({ type: 'timer.fired', taskId: 'a', at: 120 })
    expect(types(fired)).toEqual(['timer.fired', 'approval.expired', 'task.failed', 'workflow.failed'])
    expect(fired.records[2]).toMatchObject({ error: { code: 'TIMEOUT' }, final: true })
    expect(s.status).toBe('failed')
  })

  it('under forEach, each item is its own approval, addressed by index', () => {
    const { s, feed } = startedRun(chain())
    const each = approval([{ approvers: ['ann'], timeoutMs: 100, onTimeout: 'approve' }])
    const entered = feed({
      type: 'task.waiting',
      taskId: 'a',
      items: [
        { index: 0, wait: each },
        { index: 1, wait: { ...each, until: 220 } },
      ],
      count: 2,
      at: 20,
    })
    expect(types(entered)).toEqual(['task.waiting', 'approval.required', 'approval.required'])
    expect(entered.records.slice(1).map((r) => (r as { index?: number }).index)).toEqual([0, 1])
    expect(can(s, vote('ann', 'approved', 30))).toBe(false)
    expect(can(s, vote('ann', 'approved', 30, { index: 2 }))).toBe(false)
    const second = feed(vote('ann', 'rejected', 30, { index: 1 }))
    expect(types(second)).toEqual(['approval.voted', 'approval.rejected', 'task.item-completed'])
    expect(second.records[2]).toMatchObject({ index: 1, output: { approved: false, by: 'ann' } })
    // Item 0 times out and is approved by its timeout; the task then completes.
    const fired = feed({ type: 'timer.fired', taskId: 'a', at: 120 })
    expect(types(fired)).toEqual([
      'timer.fired',
      'approval.expired',
      'approval.granted',
      'task.item-completed',
      'task.completed',
      'task.started',
    ])
    expect(fired.records[1]).toMatchObject({ index: 0 })
    expect(s.tasks.a!.status).toBe('completed')
  })

  it('under forEach, an item escalates on its own deadline', () => {
    const { s, feed } = startedRun(chain())
    const each = approval([
      { approvers: ['ann'], timeoutMs: 100, onTimeout: 'escalate' },
      { approvers: ['bob'], timeoutMs: 50, onTimeout: 'fail' },
    ])
    feed({ type: 'task.waiting', taskId: 'a', items: [{ index: 0, wait: each }], count: 1, at: 20 })
    const fired = feed({ type: 'timer.fired', taskId: 'a', at: 120 })
    expect(types(fired)).toEqual(['timer.fired', 'approval.expired', 'approval.escalated'])
    expect(fired.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 170 }])
    expect(can(s, vote('bob', 'approved', 130, { index: 0, level: 1 }))).toBe(true)
    const failed = feed({ type: 'timer.fired', taskId: 'a', at: 170 })
    expect(types(failed)).toEqual(['timer.fired', 'approval.expired', 'task.failed', 'workflow.failed'])
  })

  it('never takes a derived approval event from outside (S5); a replay derives them again', () => {
    const { s, feed } = waitingOn(approval([{ approvers: ['ann'] }]))
    const derived: RunEvent[] = [
      {
        type: 'approval.required',
        taskId: 'a',
        level: 0,
        title: 't',
        approvers: ['ann'],
        groups: [],
        quorum: 1,
        at: 30,
      },
      {
        type: 'approval.escalated',
        taskId: 'a',
        level: 1,
        approvers: ['bob'],
        groups: [],
        quorum: 1,
        at: 30,
      },
      { type: 'approval.granted', taskId: 'a', level: 0, by: 'ann', at: 30 },
      { type: 'approval.rejected', taskId: 'a', level: 0, by: 'ann', at: 30 },
      { type: 'approval.expired', taskId: 'a', level: 0, at: 30 },
    ]
    for (const e of derived) {
      expect(can(s, e)).toBe(false)
      expect(feed(e).records).toEqual([])
    }
    expect(s.tasks.a!.status).toBe('waiting')
  })
})

describe('the approvals handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in approvals).sort()).toEqual(Object.keys(approvals).sort())
  })
})
