import type { ApprovalItem } from '../types'
import type { ApprovalQuery, ApprovalRecord } from './ports/approval-store'

/** Whether `record` is one `query` selects (every field of it, the index's ones too). */
export function approvalMatches(record: ApprovalRecord, query: ApprovalQuery): boolean {
  if (query.status && !query.status.includes(record.status)) return false
  if (query.runId !== undefined && record.runId !== query.runId) return false
  if (query.definitionId !== undefined && record.definitionId !== query.definitionId) return false
  if (query.dueBefore !== undefined && !(record.dueKey < query.dueBefore)) return false
  if (query.groups && !record.groups.some((g) => query.groups!.includes(g))) return false
  const decider = query.decider
  if (decider) {
    if (record.status !== 'open') return false
    const listed =
      record.approvers.includes(decider.principal) || record.groups.some((g) => decider.groups.includes(g))
    if (!listed) return false
    if (record.votes.some((v) => v.by === decider.principal && v.level === record.level)) return false
  }
  return true
}

/** The inbox's order: `dueAt` (none last), then `createdAt`, then `approvalId`. */
export function compareApprovals(a: ApprovalRecord, b: ApprovalRecord): number {
  return (
    a.dueKey - b.dueKey ||
    a.createdAt - b.createdAt ||
    (a.approvalId < b.approvalId ? -1 : a.approvalId > b.approvalId ? 1 : 0)
  )
}

/** Whether the query needs more than an index walk over status (or due order) with `dueBefore`. */
export function filtersBeyondIndex(query: ApprovalQuery): boolean {
  return (
    query.definitionId !== undefined ||
    query.groups !== undefined ||
    query.decider !== undefined ||
    query.runId !== undefined ||
    (query.status !== undefined && query.status.length > 1)
  )
}

/** The item of a record: what the inbox shows, without the store's own fields. */
export function itemOf(record: ApprovalRecord): ApprovalItem {
  const { dueKey: _key, trail: _trail, closed: _closed, ...item } = record
  return item
}
