import type {
  ApprovalLevel,
  ApprovalOutput,
  ApprovalVote,
  ApprovalWait,
  ErrorInfo,
  RunState,
  TaskState,
} from '../../types'
import type { RunEventOf, RunStep } from '../reducer/run-step'

/*
 * The rules of one approval, wherever it waits: as a task's wait (`approval-wait.ts`) or as a
 * `forEach` item's (`items-wait.ts`). Each function records what happens and says where the
 * approval stands after it; the caller ends the task or the item. A wait is never changed in
 * place: it is shared with the frozen `task.waiting` record it came from, so every change is a
 * new wait.
 */

/** Where an approval stands after a vote: still open (this is its wait now) or decided (the output). */
export type ApprovalAfterVote = { wait: ApprovalWait } | { output: ApprovalOutput }

/** Where an approval stands after a timeout: as after a vote, or failed (`onTimeout: 'fail'`). */
export type ApprovalNext = ApprovalAfterVote | { failure: ErrorInfo }

/** A level's quorum as a count of approvals: `'all'` is every listed approver. */
export function quorumOf(level: ApprovalLevel): number {
  return level.quorum === 'all' ? level.approvers.length : level.quorum
}

/**
 * The approval a decision on task `taskId` (item `index` under `forEach`) would meet: the task
 * waits on it now. `undefined` when there is none open there.
 */
export function openApproval(t: TaskState | undefined, index: number | undefined): ApprovalWait | undefined {
  if (t === undefined || t.status !== 'waiting' || t.wait === undefined) return undefined
  const wait = t.wait
  if (index === undefined) return wait.kind === 'approval' ? wait : undefined
  if (wait.kind !== 'items' || !Object.hasOwn(wait.items, index)) return undefined
  const item = wait.items[index]!
  return item.kind === 'approval' ? item : undefined
}

/** Whether `by` has voted at the approval's current level. */
export function hasVoted(wait: ApprovalWait, by: string): boolean {
  return wait.votes.some((v) => v.level === wait.level && v.by === by)
}

/** Entering the wait: `approval.required` for its first level. */
export function requireApproval(
  s: RunState,
  step: RunStep,
  taskId: string,
  index: number | undefined,
  wait: ApprovalWait,
): void {
  const level = wait.levels[wait.level]!
  step.record(s, {
    type: 'approval.required',
    taskId,
    ...(index !== undefined && { index }),
    level: wait.level,
    title: wait.title,
    ...(wait.description !== undefined && { description: wait.description }),
    ...(wait.data !== undefined && { data: wait.data }),
    ...(wait.form !== undefined && { form: wait.form }),
    approvers: level.approvers,
    groups: level.groups,
    quorum: quorumOf(level),
    ...(wait.until !== undefined && { dueAt: wait.until }),
    at: step.at,
  })
}

/**
 * A vote (`approval.voted`, recorded already): a reject ends the approval, and so does the
 * approval that makes the quorum of the current level; any other vote leaves it open.
 */
export function castVote(
  s: RunState,
  step: RunStep,
  wait: ApprovalWait,
  e: RunEventOf<'approval.voted'>,
): ApprovalAfterVote {
  const vote: ApprovalVote = {
    by: e.by,
    decision: e.decision,
    at: e.at,
    level: wait.level,
    ...(e.comment !== undefined && { comment: e.comment }),
    ...(e.form !== undefined && { form: e.form }),
  }
  const votes = [...wait.votes, vote]
  const where = { taskId: e.taskId, ...(e.index !== undefined && { index: e.index }), level: wait.level }
  if (e.decision === 'rejected') {
    step.record(s, { type: 'approval.rejected', ...where, by: e.by, at: step.at })
    return { output: outputOf(vote, votes, step.at) }
  }
  const level = wait.levels[wait.level]!
  const approving = new Set(
    votes.filter((v) => v.level === wait.level && v.decision === 'approved').map((v) => v.by),
  )
  const granted =
    level.quorum === 'all' ? level.approvers.every((by) => approving.has(by)) : approving.size >= level.quorum
  if (!granted) return { wait: { ...wait, votes } }
  step.record(s, { type: 'approval.granted', ...where, by: e.by, at: step.at })
  return { output: outputOf(vote, votes, step.at) }
}

/**
 * The current level's deadline came: `approval.expired`, then what its `onTimeout` says — the
 * next level (its clock starts now), a decision, or a failure.
 */
export function expireLevel(
  s: RunState,
  step: RunStep,
  taskId: string,
  index: number | undefined,
  wait: ApprovalWait,
): ApprovalNext {
  const at = step.at
  const where = { taskId, ...(index !== undefined && { index }) }
  const current = wait.levels[wait.level]!
  step.record(s, { type: 'approval.expired', ...where, level: wait.level, at })
  const timedOut = (decision: 'approved' | 'rejected'): ApprovalNext => ({
    output: {
      approved: decision === 'approved',
      decision,
      at,
      votes: wait.votes,
      level: wait.level,
      timedOut: true,
    },
  })
  switch (current.onTimeout) {
    case 'approve':
      step.record(s, { type: 'approval.granted', ...where, level: wait.level, timedOut: true, at })
      return timedOut('approved')
    case 'reject':
      step.record(s, { type: 'approval.rejected', ...where, level: wait.level, timedOut: true, at })
      return timedOut('rejected')
    case 'fail': {
      const label = index === undefined ? `Task "${taskId}"` : `Item ${index} of task "${taskId}"`
      return {
        failure: {
          code: 'TIMEOUT',
          message: `${label} waited ${current.timeoutMs} ms for a decision on "${wait.title}" at level ${wait.level}, which did not come (onTimeout: 'fail')`,
        },
      }
    }
    case 'escalate': {
      // Params checks make sure the last level never escalates; should one, it fails like 'fail'.
      const levelNo = wait.level + 1
      const next = wait.levels[levelNo]
      if (next === undefined)
        return {
          failure: { code: 'TIMEOUT', message: `Approval "${wait.title}" has no level to escalate to` },
        }
      const { until: _spent, ...rest } = wait
      const escalated: ApprovalWait = {
        ...rest,
        level: levelNo,
        ...(next.timeoutMs !== undefined && { until: at + next.timeoutMs }),
      }
      step.record(s, {
        type: 'approval.escalated',
        ...where,
        level: levelNo,
        approvers: next.approvers,
        groups: next.groups,
        quorum: quorumOf(next),
        ...(escalated.until !== undefined && { dueAt: escalated.until }),
        at,
      })
      return { wait: escalated }
    }
  }
}

function outputOf(vote: ApprovalVote, votes: ApprovalVote[], at: number): ApprovalOutput {
  return {
    approved: vote.decision === 'approved',
    decision: vote.decision,
    by: vote.by,
    at,
    ...(vote.comment !== undefined && { comment: vote.comment }),
    ...(vote.form !== undefined && { form: vote.form }),
    votes,
    level: vote.level,
    timedOut: false,
  }
}
