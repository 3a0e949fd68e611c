import type { JournalEntry, Store } from 'spindle'

type Approval = { taskId: string; index?: number; level?: number }

/**
 * Journal entries of approvals as a run journals them (the shapes of DESIGN.md's ApprovalItem),
 * numbered in order for one run. Swap for a real run's approval task once one exists.
 */
export function approvalJournal(runId: string, firstSeq = 1, at = 1000) {
  let seq = firstSeq
  const next = () => ({ runId, seq: seq++, at: at + seq })
  const base = ({ taskId, index, level = 0 }: Approval) => ({
    taskId,
    ...(index !== undefined && { index }),
    level,
  })
  return {
    get seq() {
      return seq
    },
    required: (
      a: Approval,
      fields: {
        approvers?: string[]
        groups?: string[]
        quorum?: number
        dueAt?: number
        title?: string
        description?: string
        data?: unknown
        form?: object
      } = {},
    ): JournalEntry => ({
      type: 'approval.required',
      ...next(),
      ...base(a),
      title: fields.title ?? `Approve ${a.taskId}`,
      approvers: fields.approvers ?? ['ann'],
      groups: fields.groups ?? [],
      quorum: fields.quorum ?? 1,
      ...(fields.dueAt !== undefined && { dueAt: fields.dueAt }),
      ...(fields.description !== undefined && { description: fields.description }),
      ...(fields.data !== undefined && { data: fields.data }),
      ...(fields.form !== undefined && { form: fields.form }),
    }),
    voted: (
      a: Approval,
      by: string,
      decision: 'approved' | 'rejected' = 'approved',
      comment?: string,
    ): JournalEntry => ({
      type: 'approval.voted',
      ...next(),
      ...base(a),
      by,
      decision,
      ...(comment !== undefined && { comment }),
    }),
    escalated: (
      a: Approval,
      fields: { approvers?: string[]; groups?: string[]; dueAt?: number } = {},
    ): JournalEntry => ({
      type: 'approval.escalated',
      ...next(),
      ...base(a),
      approvers: fields.approvers ?? [],
      groups: fields.groups ?? ['finance'],
      quorum: 1,
      ...(fields.dueAt !== undefined && { dueAt: fields.dueAt }),
    }),
    granted: (a: Approval, by?: string): JournalEntry => ({
      type: 'approval.granted',
      ...next(),
      ...base(a),
      ...(by && { by }),
    }),
    rejected: (a: Approval, by?: string): JournalEntry => ({
      type: 'approval.rejected',
      ...next(),
      ...base(a),
      ...(by && { by }),
    }),
    expired: (a: Approval): JournalEntry => ({ type: 'approval.expired', ...next(), ...base(a) }),
    /** Any other entry of the run, numbered in turn (`task.skipped`, `workflow.cancelled`, …). */
    other: (entry: Record<string, unknown>): JournalEntry => ({ ...next(), ...entry }) as JournalEntry,
  }
}

/** Commits `entries` of one run as its executor (epoch `epoch`) would: fenced, one transaction. */
export function commitEntries(
  store: Store,
  runId: string,
  entries: JournalEntry[],
  epoch = 0,
): Promise<void> {
  return store.commit({ entries, runs: [], snapshots: [], fences: [{ runId, epoch }] })
}
