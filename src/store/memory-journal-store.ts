import { StorageError } from '../errors'
import { fence } from './fence'
import { approvalChanges } from './memory-approval-store'
import type { ApprovalRecord } from './ports/approval-store'
import type {
  CommitBatch,
  JournalEntry,
  JournalStore,
  OutputRecord,
  RestorePoint,
  SnapshotRecord,
} from './ports/journal-store'
import type { RunRecord } from './ports/run-store'
import { isEnded } from './run-query'
import { checkRunIds } from './store-arguments'

/**
 * The `JournalStore` of a memory store: journals, snapshots and output records per run. `runs` is
 * the map of its run port: a commit is fenced by it and writes its run records into it.
 * `approvals` is the map of its approval port: a commit projects its approval events into it.
 */
export function memoryJournalStore(
  runs: Map<string, RunRecord>,
  approvals: Map<string, ApprovalRecord> = new Map(),
): JournalStore & { counts(): Record<string, number> } {
  const journals = new Map<string, JournalEntry[]>()
  const snapshots = new Map<string, SnapshotRecord[]>()
  /** Per run, by key: the newest output record of each task (and of each `forEach` item). */
  const taskOutputs = new Map<string, Map<string, OutputRecord>>()

  /** Entries are frozen (see boundary.ts): a marked entry replaces the one it marks. */
  const markRolledBack = (runId: string, afterSeq: number): void => {
    const journal = journals.get(runId) ?? []
    journal.forEach((entry, i) => {
      if (entry.seq > afterSeq && !entry.rolledBack) journal[i] = { ...entry, rolledBack: true }
    })
    const outputs = taskOutputs.get(runId)
    for (const [key, output] of outputs ?? []) if (output.seq > afterSeq) outputs!.delete(key)
    const list = snapshots.get(runId)
    if (list)
      snapshots.set(
        runId,
        list.filter((s) => s.seq <= afterSeq),
      )
  }

  return {
    /** Records per store: journal entries (not pages, as in IndexedDB), snapshots, output records. */
    counts: () => ({
      journal: sum(journals.values(), (list) => list.length),
      snapshots: sum(snapshots.values(), (list) => list.length),
      outputs: sum(taskOutputs.values(), (map) => map.size),
    }),

    async commit(batch: CommitBatch): Promise<void> {
      // Most commits are one run's next entries: no spread, no clone of an empty list.
      for (const { runId, epoch } of batch.runs) fence(runId, epoch, runs.get(runId))
      if (batch.fences) for (const { runId, epoch } of batch.fences) fence(runId, epoch, runs.get(runId))
      // A seq is never used twice (a rollback keeps the entries it undoes): refuse before writing.
      let lastRun: string | undefined
      let lastSeq = 0
      for (const entry of batch.entries) {
        const previous = entry.runId === lastRun ? lastSeq : (journals.get(entry.runId)?.at(-1)?.seq ?? 0)
        if (entry.seq <= previous) {
          throw new StorageError(
            `Journal entry ${entry.seq} of run "${entry.runId}" follows entry ${previous}: a seq is never reused. This is a bug in Spindle; please report it.`,
            { value: { runId: entry.runId, seq: entry.seq } },
          )
        }
        lastRun = entry.runId
        lastSeq = entry.seq
      }
      // A rollback's own entry marks what it undoes in the same write: there is no moment when
      // the entries are marked and the rollback is not recorded, or the other way round.
      for (const entry of batch.entries) {
        if (entry.type === 'workflow.rolled-back') markRolledBack(entry.runId, entry.toSeq)
      }
      // Kept as IndexedDB keeps them, out of the caller's reach: copies, except entries already
      // frozen (the engine deep-freezes every record it journals, see boundary.ts), which nobody
      // can change and which are most of what a run writes; an output record of a frozen entry
      // is copied shallowly for the same reason. Everything is copied before anything is kept,
      // so a value that cannot be cloned leaves the store as it was.
      const runCopies = batch.runs.length > 0 ? structuredClone(batch.runs) : batch.runs
      // The batch's own list serves when every entry is frozen: only its entries are kept.
      const entries = batch.entries.every(Object.isFrozen)
        ? batch.entries
        : batch.entries.map((entry) => (Object.isFrozen(entry) ? entry : structuredClone(entry)))
      const snapshotCopies = batch.snapshots.length > 0 ? structuredClone(batch.snapshots) : batch.snapshots
      const outputCopies = batch.outputs?.map((output) =>
        Object.isFrozen(output.entry) ? { ...output } : structuredClone(output),
      )
      const changedApprovals = approvalChanges(entries, approvals, runs)
      for (const record of runCopies) runs.set(record.runId, record)
      if (changedApprovals) for (const record of changedApprovals) approvals.set(record.approvalId, record)
      for (const entry of entries) {
        const journal = journals.get(entry.runId)
        if (journal) journal.push(entry)
        else journals.set(entry.runId, [entry])
      }
      if (outputCopies)
        for (const output of outputCopies) {
          const outputs = taskOutputs.get(output.runId)
          if (outputs) outputs.set(output.key, output)
          else taskOutputs.set(output.runId, new Map([[output.key, output]]))
        }
      for (const snapshot of snapshotCopies) {
        const list = snapshots.get(snapshot.runId)
        if (list) list.push(snapshot)
        else snapshots.set(snapshot.runId, [snapshot])
      }
    },

    async readJournal(runId: string, afterSeq = 0): Promise<JournalEntry[]> {
      const journal = journals.get(runId) ?? []
      return structuredClone(journal.filter((e) => e.seq > afterSeq))
    },

    async readEntries(runId: string, seqs: readonly number[]): Promise<JournalEntry[]> {
      const wanted = new Set(seqs)
      return structuredClone((journals.get(runId) ?? []).filter((e) => wanted.has(e.seq)))
    },

    async readOutputs(runId: string, maxSeq = Number.POSITIVE_INFINITY): Promise<OutputRecord[]> {
      const outputs = [...(taskOutputs.get(runId)?.values() ?? [])]
      return structuredClone(outputs.filter((o) => o.seq <= maxSeq).sort((a, b) => a.seq - b.seq))
    },

    async latestSnapshot(
      runId: string,
      maxSeq = Number.POSITIVE_INFINITY,
    ): Promise<SnapshotRecord | undefined> {
      const list = snapshots.get(runId) ?? []
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i]!.seq <= maxSeq) return structuredClone(list[i])
      }
      return undefined
    },

    async readRestorePoints(runIds: readonly string[]): Promise<RestorePoint[]> {
      const ids = checkRunIds(runIds)
      return ids.map((runId) => {
        const snapshot = snapshots.get(runId)?.at(-1)
        const upTo = snapshot?.seq ?? 0
        const outputs = snapshot
          ? [...(taskOutputs.get(runId)?.values() ?? [])].filter((o) => o.seq <= upTo)
          : []
        return structuredClone({
          runId,
          snapshot,
          outputs: outputs.sort((a, b) => a.seq - b.seq),
          entries: (journals.get(runId) ?? []).filter((e) => e.seq > upTo),
        })
      })
    },

    async rollBack(runId: string, afterSeq: number, epoch: number): Promise<void> {
      fence(runId, epoch, runs.get(runId))
      markRolledBack(runId, afterSeq)
    },

    async deleteRuns(runIds: readonly string[]): Promise<string[]> {
      const open = new Set<string>()
      for (const record of approvals.values()) if (record.status === 'open') open.add(record.runId)
      const deleted: string[] = []
      for (const runId of new Set(checkRunIds(runIds))) {
        const run = runs.get(runId)
        if (!run || !isEnded(run.status) || open.has(runId)) continue
        runs.delete(runId)
        journals.delete(runId)
        snapshots.delete(runId)
        taskOutputs.delete(runId)
        for (const [id, record] of approvals) if (record.runId === runId) approvals.delete(id)
        deleted.push(runId)
      }
      return deleted
    },
  }
}

function sum<T>(values: Iterable<T>, size: (value: T) => number): number {
  let total = 0
  for (const value of values) total += size(value)
  return total
}
