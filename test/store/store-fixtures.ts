import type { JournalEntry, OutputRecord, RunRecord, SnapshotRecord, StoredDefinition } from 'spindle'

/** A stored definition of `id@version` with one task. */
export function definitionRecord(id: string, version: string, registeredAt = 1): StoredDefinition {
  return {
    id,
    version,
    name: `${id} ${version}`,
    schemaVersion: '2.0',
    registeredAt,
    definition: { schemaVersion: '2.0', id, version, tasks: { a: { action: 'noop' } } },
  }
}

/** A run record; `createdAt` orders `listRuns`. */
export function runRecord(runId: string, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    definitionId: 'order',
    version: '1.0.0',
    status: 'running',
    createdAt: 1000,
    updatedAt: 1000,
    input: { orderId: runId },
    epoch: 0,
    seq: 0,
    ...fields,
  }
}

/** A `task.completed` journal entry carrying an output. */
export function completedEntry(runId: string, seq: number, output: unknown = { seq }): JournalEntry {
  return { type: 'task.completed', runId, seq, at: 1000 + seq, taskId: `t${seq}`, attempt: 1, output }
}

export function snapshotRecord(runId: string, seq: number): SnapshotRecord {
  return { runId, seq, at: 1000 + seq, snapshot: { status: 'active', context: { seq } } }
}

/** `count` entries of `runId`, seq 1…count. */
export function journal(runId: string, count: number, from = 1): JournalEntry[] {
  return Array.from({ length: count }, (_, i) => completedEntry(runId, from + i))
}

/** The output record of `completedEntry(runId, seq)`, under `key` (default: its task id). */
export function outputRecord(runId: string, seq: number, key = `t${seq}`): OutputRecord {
  return { runId, key, seq, entry: { ...completedEntry(runId, seq), taskId: key } as JournalEntry }
}
