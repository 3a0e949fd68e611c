import { deepFreeze } from '../boundary'
import type { JournalEntry, RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import { emptyRunData, keepData } from './run-data'
import { type ExecutorHost, RunExecutor } from './run-executor'

/**
 * Rebuilds a run from the store: the latest snapshot, then the journal entries after it replayed
 * into the machine. Outputs are read from the journal (they are stored once, in their entry).
 * The executor is idle: call `resumeWork` to execute the run, or only read its state.
 */
export async function restoreRun(
  store: Store,
  record: RunRecord,
  wf: CompiledWorkflow,
  host: ExecutorHost,
): Promise<RunExecutor> {
  const [snapshot, entries] = await Promise.all([
    store.latestSnapshot(record.runId),
    store.readJournal(record.runId),
  ])
  return fromJournal(host, wf, record, snapshot?.snapshot, entries)
}

/**
 * Rebuilds a run as it was at journal position `toSeq`, from `entries` (its whole journal, as
 * read) and the latest snapshot at or before that position: what a rollback leaves, before the
 * store marks anything.
 */
export async function restoreAt(
  store: Store,
  record: RunRecord,
  wf: CompiledWorkflow,
  host: ExecutorHost,
  entries: readonly JournalEntry[],
  toSeq: number,
): Promise<RunExecutor> {
  const snapshot = await store.latestSnapshot(record.runId, toSeq)
  const kept = entries.filter((e) => !e.rolledBack && e.seq <= toSeq)
  return fromJournal(host, wf, record, snapshot?.snapshot, kept)
}

function fromJournal(
  host: ExecutorHost,
  wf: CompiledWorkflow,
  record: RunRecord,
  snapshot: unknown,
  entries: readonly JournalEntry[],
): RunExecutor {
  const data = emptyRunData()
  // Frozen as a live run's records are: views and scopes share what they carry.
  for (const entry of entries) if (!entry.rolledBack) keepData(data, deepFreeze(entry))
  const executor = new RunExecutor(host, wf, record, data, snapshot as never)
  executor.replay(entries)
  return executor
}
