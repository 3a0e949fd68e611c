import { approvalTouch, projectApprovals } from './approval-projection'
import { approvalMatches, compareApprovals, itemOf } from './approval-query'
import type { ApprovalQuery, ApprovalRecord, ApprovalStore } from './ports/approval-store'
import type { JournalEntry } from './ports/journal-store'
import type { RunRecord } from './ports/run-store'
import { checkRunIds } from './store-arguments'

/** The `ApprovalStore` of a memory store, over the map its journal's commits project into. */
export function memoryApprovalStore(approvals: Map<string, ApprovalRecord>): ApprovalStore {
  return {
    async listApprovals(query: ApprovalQuery = {}) {
      const selected = [...approvals.values()].filter((r) => approvalMatches(r, query)).sort(compareApprovals)
      return structuredClone(selected.slice(0, query.limit ?? selected.length).map(itemOf))
    },

    async deleteApprovals(runIds: readonly string[]) {
      const runs = new Set(checkRunIds(runIds))
      let deleted = 0
      for (const [id, record] of approvals) {
        if (runs.has(record.runId) && approvals.delete(id)) deleted++
      }
      return deleted
    },
  }
}

/**
 * The records a commit of `entries` changes, computed before the commit writes anything (so a
 * refused commit leaves the inbox as it was); `undefined` when it changes none.
 */
export function approvalChanges(
  entries: readonly JournalEntry[],
  approvals: Map<string, ApprovalRecord>,
  runs: Map<string, RunRecord>,
): ApprovalRecord[] | undefined {
  const touch = approvalTouch(entries)
  if (!touch) return undefined
  const records = new Map<string, ApprovalRecord>()
  for (const id of touch.ids.keys()) {
    const record = approvals.get(id)
    if (record) records.set(id, record)
  }
  if (touch.runs.size > 0) {
    for (const record of approvals.values())
      if (touch.runs.has(record.runId)) records.set(record.approvalId, record)
  }
  const changed = projectApprovals(entries, records, (runId) => runs.get(runId)?.definitionId ?? '')
  return [...changed].map((id) => records.get(id)!)
}
