import type { ApprovalEventType } from '../../types'
import { voteOnTask } from '../waits/approval-wait'
import { voteOnItem } from '../waits/items-wait'
import type { HandlerTable } from './run-step'

/**
 * Approvals: a vote (`approve`/`reject`) goes to the approval it names, the task's or a
 * `forEach` item's (`src/core/waits/approval-rules.ts`). The other approval events are only ever
 * derived — from entering the wait, a vote, or a level's timer — and a replay derives them again.
 */
export const approvals = {
  'approval.voted': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    const wait = t.wait!
    step.record(s, e)
    if (wait.kind === 'items') voteOnItem(s, step, e.taskId, t, wait, e)
    else if (wait.kind === 'approval') voteOnTask(s, step, e.taskId, t, wait, e)
  },
  'approval.required': () => {},
  'approval.escalated': () => {},
  'approval.granted': () => {},
  'approval.rejected': () => {},
  'approval.expired': () => {},
} satisfies Pick<HandlerTable, ApprovalEventType>
