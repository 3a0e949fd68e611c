import type { ApprovalWait, RunState, TaskState } from '../../types'
import type { RunEventOf, RunStep } from '../reducer/run-step'
import { complete, failAttempt } from '../reducer/task-outcomes'
import { type ApprovalNext, castVote, expireLevel, requireApproval } from './approval-rules'
import type { WaitKind } from './wait-kind'

/**
 * `approval`: entering records `approval.required`; votes (`approval.voted`) decide it (see
 * `approval-rules.ts`); at a level's deadline it escalates or resolves as the level's
 * `onTimeout` says. A decided approval completes the task with its output, approved or not.
 */
export const approvalWait: WaitKind<ApprovalWait> = {
  resolvedBy: new Set(['approval.voted']),
  enter: (s, step, id, _t, wait) => requireApproval(s, step, id, undefined, wait),
  awaits: () => false,
  receive: () => {},
  expire: (s, step, id, t, wait, e) => {
    // Its timer is spent: a level escalated to has a deadline of its own to arm.
    const next = expireLevel(s, step, id, undefined, wait)
    if ('wait' in next && next.wait.until !== undefined)
      step.command({ type: 'arm', taskId: id, deadline: next.wait.until })
    follow(s, step, id, t, next, e.rand ?? 0.5)
  },
}

/** A vote on the task's approval, `approval.voted` recorded already. */
export function voteOnTask(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  wait: ApprovalWait,
  e: RunEventOf<'approval.voted'>,
): void {
  follow(s, step, id, t, castVote(s, step, wait, e), 0.5)
}

function follow(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  next: ApprovalNext,
  rand: number,
): void {
  if ('wait' in next) t.wait = next.wait
  else if ('output' in next) complete(s, step, id, t, next.output)
  // A decision window that passed is not cured by asking again at once: `retryTask` asks again.
  else failAttempt(s, step, id, t, { error: next.failure, rand, noRetry: true })
}
