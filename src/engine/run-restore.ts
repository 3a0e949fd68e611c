import { deepFreeze } from '../boundary'
import type { RunRecord, Store } from '../store/store'
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
  const data = emptyRunData()
  // Frozen as a live run's records are: views and scopes share what they carry.
  for (const entry of entries) if (!entry.rolledBack) keepData(data, deepFreeze(entry))
  const executor = new RunExecutor(host, wf, record, data, snapshot?.snapshot as never)
  executor.replay(entries)
  return executor
}
