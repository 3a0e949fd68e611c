import type { ApprovalEventType, ApprovalItem, ApprovalStatus, EventOf } from '../../types'

/**
 * The approvals port: the inbox, one record per approval (`approvalId`), projected from the
 * approval events of the journal by `commit` itself, in the same write as the entries: a crash
 * never leaves the inbox and the journal apart, and reading the inbox never reads a run.
 */
export interface ApprovalStore {
  /**
   * The approvals `query` selects, by `dueAt` (those without one last), then `createdAt`, then
   * `approvalId`; at most `limit`.
   */
  listApprovals(query?: ApprovalQuery): Promise<ApprovalItem[]>
  /** Deletes every approval of these runs (a purge of the runs); resolves to how many. */
  deleteApprovals(runIds: readonly string[]): Promise<number>
}

/** What `listApprovals` selects; every field narrows it. */
export interface ApprovalQuery {
  /** Any of these statuses (an empty list selects nothing). */
  status?: readonly ApprovalStatus[]
  runId?: string
  definitionId?: string
  /** Only those due before this time; those without `dueAt` are left out. */
  dueBefore?: number
  /**
   * Only what `principal` (a member of `groups`) may decide now: open, its current level lists
   * the principal or one of the groups, and the principal has not voted at that level.
   */
  decider?: { principal: string; groups: readonly string[] }
  /** Only those whose current level names one of these groups. */
  groups?: readonly string[]
  /** At most this many (≥ 0). Default: all. */
  limit?: number
}

/** An approval as a store keeps it: the item, its sort key, and the events it was folded from. */
export interface ApprovalRecord extends ApprovalItem {
  /** `dueAt`, or `Infinity` without one: the inbox's order, as an index key. */
  dueKey: number
  /**
   * The item's journal entries in `seq` order, a rollback folds what it keeps of them again; an
   * `approval.required` without what the item shows of it already (`data` may be large).
   */
  trail: TrailEntry[]
  /** The entry that ended the approval without a decision (its run or its task ended). */
  closed?: { seq: number }
}

/** The journal entries an approval is made of. */
export type ApprovalEntry = EventOf<ApprovalEventType>

/** What the item shows of its `approval.required`, kept once, on the item. */
export type ApprovalShown = Pick<EventOf<'approval.required'>, 'title' | 'description' | 'data' | 'form'>

/** An approval entry as a record's trail keeps it. */
export type TrailEntry =
  | Exclude<ApprovalEntry, { type: 'approval.required' }>
  | Omit<EventOf<'approval.required'>, keyof ApprovalShown>
