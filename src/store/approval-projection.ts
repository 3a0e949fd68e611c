import { APPROVAL_CLOSING_EVENTS, type ApprovalItem } from '../types'
import type { ApprovalEntry, ApprovalRecord, ApprovalShown, TrailEntry } from './ports/approval-store'
import type { JournalEntry } from './ports/journal-store'

/**
 * What a batch of entries changes in the inbox: approvals by id (each with its run), and runs
 * whose every approval it may close.
 */
export interface ApprovalTouch {
  ids: Map<string, string>
  runs: Set<string>
}

/** `<runId>:<taskId>`, or `<runId>:<taskId>:<index>` for one item of a `forEach` task. */
export function approvalIdOf(runId: string, taskId: string, index?: number): string {
  return index === undefined ? `${runId}:${taskId}` : `${runId}:${taskId}:${index}`
}

/** Whether `entry` is one of the approval events. */
export function isApprovalEntry(entry: JournalEntry): entry is ApprovalEntry & JournalEntry {
  return typeof entry?.type === 'string' && entry.type.startsWith('approval.')
}

/*
 * A run completes only once every task did, so an approval still open then was closed by one of
 * `APPROVAL_CLOSING_EVENTS` already: leaving `workflow.completed` out of them spares each run's
 * last commit a read of the inbox.
 */
const CLOSING: ReadonlySet<unknown> = APPROVAL_CLOSING_EVENTS

/** Every entry type the inbox follows: one lookup per entry of every commit tells the rest apart. */
const FOLLOWED = new Set<unknown>([
  ...CLOSING,
  'approval.required',
  'approval.voted',
  'approval.escalated',
  'approval.granted',
  'approval.rejected',
  'approval.expired',
])

function closesRun(entry: JournalEntry): boolean {
  return CLOSING.has(entry?.type)
}

/**
 * What a commit of `entries` must read before it can project them: the approvals they name and
 * the runs whose approvals they may close. Undefined when the batch changes no approval (most
 * batches: the commit then touches the inbox not at all).
 */
export function approvalTouch(entries: readonly JournalEntry[]): ApprovalTouch | undefined {
  // A malformed batch is the commit's to refuse, with its own error.
  if (!Array.isArray(entries)) return undefined
  let touch: ApprovalTouch | undefined
  for (const entry of entries) {
    if (!FOLLOWED.has(entry?.type)) continue
    if (isApprovalEntry(entry)) {
      touch ??= { ids: new Map(), runs: new Set() }
      touch.ids.set(approvalIdOf(entry.runId, entry.taskId, entry.index), entry.runId)
    } else if (closesRun(entry)) {
      touch ??= { ids: new Map(), runs: new Set() }
      touch.runs.add(entry.runId)
    }
  }
  return touch
}

/**
 * Applies `entries` (one commit, in journal order) to the approvals they touch. `records` holds
 * every stored record `approvalTouch` named (ids and all records of its runs); changed records
 * replace theirs in it (the given ones are never modified, so a store can drop the map when its
 * write fails) and their ids are returned. `definitionOf` names a run's definition, for a new one.
 */
export function projectApprovals(
  entries: readonly JournalEntry[],
  records: Map<string, ApprovalRecord>,
  definitionOf: (runId: string) => string,
): Set<string> {
  const changed = new Set<string>()
  const set = (record: ApprovalRecord) => {
    records.set(record.approvalId, record)
    changed.add(record.approvalId)
  }
  for (const entry of entries) {
    if (isApprovalEntry(entry)) {
      const approvalId = approvalIdOf(entry.runId, entry.taskId, entry.index)
      const stored = records.get(approvalId)
      if (!stored && entry.type !== 'approval.required') continue
      const definitionId = stored?.definitionId ?? definitionOf(entry.runId)
      // A new `approval.required` (the task asks again, after a retry) opens it again.
      const closed = entry.type === 'approval.required' ? undefined : stored?.closed
      const shown = entry.type === 'approval.required' ? entry : stored!
      const trail = [...(stored?.trail ?? []), trailEntryOf(entry)]
      const record = recordOf(approvalId, definitionId, trail, closed, shown)
      if (record) set(record)
      continue
    }
    if (!closesRun(entry)) continue
    for (const record of records.values()) {
      if (record.runId !== entry.runId) continue
      if (entry.type === 'workflow.rolled-back') {
        set(rolledBack(record, entry.toSeq, entry.seq))
      } else if (record.status === 'open' && (!('taskId' in entry) || entry.taskId === record.taskId)) {
        set({ ...record, status: 'expired', closed: { seq: entry.seq } })
      }
    }
  }
  return changed
}

/** The record as the run stands after a rollback to `toSeq`: what followed it is undone. */
function rolledBack(record: ApprovalRecord, toSeq: number, seq: number): ApprovalRecord {
  const kept = record.trail.filter((e) => e.seq <= toSeq)
  if (!kept.some((e) => e.type === 'approval.required')) {
    // The run never asked for it as it stands now: kept for the record, not to be decided.
    return record.status === 'open' ? { ...record, status: 'expired', closed: { seq } } : record
  }
  const closed = record.closed && record.closed.seq <= toSeq ? record.closed : undefined
  return recordOf(record.approvalId, record.definitionId, kept, closed, record)!
}

/** The entry as a trail keeps it: an `approval.required` without what the item shows. */
function trailEntryOf(entry: ApprovalEntry): TrailEntry {
  if (entry.type !== 'approval.required') return entry
  const { title: _t, description: _d, data: _data, form: _f, ...kept } = entry
  return kept
}

/**
 * The record `trail` folds into (undefined without an `approval.required`), showing `shown`
 * (the newest `approval.required`'s title, description, data and form).
 */
function recordOf(
  approvalId: string,
  definitionId: string,
  trail: TrailEntry[],
  closed: { seq: number } | undefined,
  shown: ApprovalShown,
): ApprovalRecord | undefined {
  let item: ApprovalItem | undefined
  for (const e of trail) {
    if (e.type === 'approval.required') {
      item = {
        approvalId,
        runId: e.runId,
        definitionId,
        taskId: e.taskId,
        ...(e.index !== undefined && { index: e.index }),
        title: shown.title,
        ...(shown.description !== undefined && { description: shown.description }),
        ...(shown.data !== undefined && { data: shown.data }),
        ...(shown.form !== undefined && { form: shown.form }),
        level: e.level,
        approvers: e.approvers,
        groups: e.groups,
        quorum: e.quorum,
        votes: [],
        createdAt: e.at,
        ...(e.dueAt !== undefined && { dueAt: e.dueAt }),
        status: 'open',
      }
    } else if (item) {
      item = folded(item, e)
    }
  }
  if (!item) return undefined
  const status = closed && item.status === 'open' ? 'expired' : item.status
  return {
    ...item,
    status,
    dueKey: item.dueAt ?? Number.POSITIVE_INFINITY,
    trail,
    ...(closed && { closed }),
  }
}

function folded(item: ApprovalItem, e: TrailEntry): ApprovalItem {
  switch (e.type) {
    case 'approval.voted': {
      const vote = { by: e.by, decision: e.decision, at: e.at, level: e.level }
      return {
        ...item,
        votes: [...item.votes, e.comment === undefined ? vote : { ...vote, comment: e.comment }],
      }
    }
    case 'approval.escalated': {
      const { dueAt: _, ...rest } = item
      const next = { ...rest, level: e.level, approvers: e.approvers, groups: e.groups, quorum: e.quorum }
      return { ...next, status: 'open', ...(e.dueAt !== undefined && { dueAt: e.dueAt }) }
    }
    case 'approval.granted':
      return { ...item, status: 'approved' }
    case 'approval.rejected':
      return { ...item, status: 'rejected' }
    case 'approval.expired':
      return { ...item, status: 'expired' }
    default:
      return item
  }
}
