import { Subject } from 'rxjs'
import type { ApprovalItem, WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { approvalFeed, changesApprovals } from '../../src/core/approval-feed'

const item = (approvalId: string, status: ApprovalItem['status'] = 'open'): ApprovalItem => ({
  approvalId,
  runId: 'r1',
  definitionId: 'wf',
  taskId: approvalId,
  title: approvalId,
  level: 0,
  approvers: ['ann'],
  groups: [],
  quorum: 1,
  votes: [],
  createdAt: 1,
  status,
})

const event = (type: string, extra: Record<string, unknown> = {}) =>
  ({ type, runId: 'r1', seq: 1, at: 1, taskId: 'a', ...extra }) as WorkflowEvent

/** A list whose reads are answered by hand, in order. */
function manualList() {
  const reads: { resolve(items: ApprovalItem[]): void; reject(error: unknown): void }[] = []
  const list = () =>
    new Promise<ApprovalItem[]>((resolve, reject) => {
      reads.push({ resolve, reject })
    })
  return { list, reads }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('approvalFeed', () => {
  it('emits the current list first, then reads again after events that change the inbox', async () => {
    const events = new Subject<WorkflowEvent>()
    const { list, reads } = manualList()
    const seen: string[][] = []
    approvalFeed(events, list).subscribe((items) => seen.push(items.map((i) => i.approvalId)))
    expect(reads).toHaveLength(1)
    reads[0]!.resolve([item('a')])
    await tick()
    expect(seen).toEqual([['a']])
    events.next(event('task.completed'))
    events.next(event('task.progress'))
    expect(reads).toHaveLength(1)
    events.next(event('approval.required'))
    expect(reads).toHaveLength(2)
    reads[1]!.resolve([item('a'), item('b')])
    await tick()
    expect(seen).toEqual([['a'], ['a', 'b']])
  })

  it('reads once more after a read that events arrived during, and never emits the same list twice', async () => {
    const events = new Subject<WorkflowEvent>()
    const { list, reads } = manualList()
    const seen: ApprovalItem[][] = []
    approvalFeed(events, list).subscribe((items) => seen.push(items))
    events.next(event('approval.voted'))
    events.next(event('workflow.cancelled'))
    // One read in flight at a time: the two events wait for it, and make one read after it.
    expect(reads).toHaveLength(1)
    reads[0]!.resolve([item('a')])
    await tick()
    expect(reads).toHaveLength(2)
    reads[1]!.resolve([item('a')])
    await tick()
    expect(seen).toEqual([[item('a')]])
    events.next(event('task.skipped'))
    reads[2]!.resolve([item('a', 'expired')])
    await tick()
    expect(seen.map((items) => items[0]!.status)).toEqual(['open', 'expired'])
  })

  it('fails with the read that failed, and completes with the events', async () => {
    const failing = new Subject<WorkflowEvent>()
    const { list, reads } = manualList()
    const failure = new Error('store down')
    let error: unknown
    approvalFeed(failing, list).subscribe({ error: (e) => (error = e) })
    reads[0]!.reject(failure)
    await tick()
    expect(error).toBe(failure)

    const closing = new Subject<WorkflowEvent>()
    let completed = false
    const emitted: unknown[] = []
    const second = manualList()
    approvalFeed(closing, second.list).subscribe({
      next: (v) => emitted.push(v),
      complete: () => (completed = true),
    })
    closing.complete()
    second.reads[0]!.resolve([item('a')])
    await tick()
    expect(completed).toBe(true)
    expect(emitted).toEqual([])
  })

  it('names the events that change the inbox', () => {
    const changing = [
      'approval.required',
      'approval.expired',
      'workflow.failed',
      'workflow.rolled-back',
      'task.failed',
    ]
    for (const type of changing) expect(changesApprovals(event(type))).toBe(true)
    for (const type of [
      'task.completed',
      'task.waiting',
      'workflow.paused',
      'workflow.completed',
      'signal.received',
    ])
      expect(changesApprovals(event(type))).toBe(false)
    for (const type of ['schedule.fired', 'schedule.missed'] as const)
      expect(changesApprovals({ type, scheduleId: 's', scheduledAt: 1, runId: 'sched:s:1', at: 1 })).toBe(
        false,
      )
  })
})
