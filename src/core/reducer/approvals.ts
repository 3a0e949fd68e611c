import type { HandlerTable } from './run-step'

type ApprovalEvent =
  | 'approval.required'
  | 'approval.voted'
  | 'approval.granted'
  | 'approval.rejected'
  | 'approval.escalated'
  | 'approval.expired'

/** Approvals: journaled for the record; no wait kind resolves on them yet. */
export const approvals = {
  'approval.required': (s, e, step) => step.record(s, e),
  'approval.granted': (s, e, step) => step.record(s, e),
  'approval.rejected': (s, e, step) => step.record(s, e),
  'approval.escalated': (s, e, step) => step.record(s, e),
  'approval.voted': (s, e, step) => step.record(s, e),
  'approval.expired': (s, e, step) => step.record(s, e),
} satisfies Pick<HandlerTable, ApprovalEvent>
