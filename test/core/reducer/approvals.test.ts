import { describe, expect, it } from 'vitest'
import { approvals } from '../../../src/core/reducer/approvals'
import type { RunEvent } from '../../../src/core/run-reducer'
import { chain, fed, startedRun, types } from './reducer-fixtures'

describe('approvals', () => {
  it('approval events are recorded as they come', () => {
    const { feed } = startedRun(chain())
    const events: RunEvent[] = [
      {
        type: 'approval.required',
        taskId: 'a',
        title: 'Ship?',
        approvers: ['ann'],
        groups: [],
        quorum: 1,
        level: 0,
        at: 20,
      },
      {
        type: 'approval.escalated',
        taskId: 'a',
        level: 1,
        approvers: [],
        groups: ['ops'],
        quorum: 1,
        at: 21,
      },
      { type: 'approval.granted', taskId: 'a', level: 0, by: 'ann', at: 22 },
      { type: 'approval.rejected', taskId: 'a', level: 0, by: 'bob', at: 23 },
      { type: 'approval.voted', taskId: 'a', level: 0, by: 'ann', decision: 'approved', at: 24 },
      { type: 'approval.expired', taskId: 'a', level: 0, at: 25 },
    ]
    for (const e of events) expect(types(feed(e))).toEqual([e.type])
  })
})

describe('the approvals handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in approvals).sort()).toEqual(Object.keys(approvals).sort())
  })
})
