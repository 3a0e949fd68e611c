import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import { emptyRunData, keepData } from './run-data'
import { type ExecutorHost, RunExecutor } from './run-executor'

/**
 * Rebuilds a run from the store: the latest snapshot, the output records up to it, then the
 * journal entries after it replayed into the machine. A stored run costs its snapshot, its
 * outputs and the entries since the snapshot, however long its journal.
 * The executor is idle: call `resumeWork` to execute the run, or only read its state.
 */
export async function restoreRun(
  store: Store,
  record: RunRecord,
  wf: CompiledWorkflow,
  host: ExecutorHost,
): Promise<RunExecutor> {
  const snapshot = await store.latestSnapshot(record.runId)
  const after = snapshot?.seq ?? 0
  const [outputs, entries] = await Promise.all([
    snapshot ? store.readOutputs(record.runId, after) : [],
    store.readJournal(record.runId, after),
  ])
  const data = emptyRunData()
  for (const output of outputs) keepData(data, output.entry)
  for (const entry of entries) if (!entry.rolledBack) keepData(data, entry)
  // `workflow.completed` lies before the snapshot when the run ended long ago: its record holds the output.
  if (record.status === 'completed') data.output = record.output
  const executor = new RunExecutor(host, wf, record, data, snapshot?.snapshot as never)
  executor.replay(entries)
  return executor
}
