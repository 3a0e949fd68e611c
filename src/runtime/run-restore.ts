import { deepFreeze } from '../boundary'
import { emptyRunData, keepData, type RunData } from '../core/run-data'
import type { JournalEntry, RestorePoint, RunRecord, SnapshotRecord, Store } from '../store/store'
import type { BufferedSignal, CompiledWorkflow, RunState } from '../types'
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
  return restoreFrom(store, record, wf, host, { runId: record.runId, snapshot, outputs, entries })
}

/**
 * `restoreRun` from what `Store.readRestorePoints` read for the run: recovery reads many runs'
 * points in one call and rebuilds each from its own.
 */
export function restoreFrom(
  store: Store,
  record: RunRecord,
  wf: CompiledWorkflow,
  host: ExecutorHost,
  point: RestorePoint,
): Promise<RunExecutor> {
  const { snapshot, outputs, entries } = point
  return fromJournal(
    store,
    host,
    wf,
    record,
    snapshot,
    outputs.map((o) => o.entry),
    entries,
    true,
  )
}

/** Runs whose restore points one `readRestorePoints` call reads together. */
const RESTORE_BATCH = 250

/**
 * Starts reading what restoring each run needs (see `restoreFrom`), one store call per batch of
 * runs, the batches side by side: restoring many runs then waits on a few transactions, not on
 * three per run. Each run's point resolves `undefined` when its batch's read failed: the caller
 * then reads that run on its own (`restoreRun`), so a run whose own read fails again fails
 * alone, and a read that fails once does not cost the whole batch.
 */
export function readRestorePoints(
  store: Store,
  runIds: readonly string[],
): Map<string, Promise<RestorePoint | undefined>> {
  const points = new Map<string, Promise<RestorePoint | undefined>>()
  for (let i = 0; i < runIds.length; i += RESTORE_BATCH) {
    const batch = runIds.slice(i, i + RESTORE_BATCH)
    const read = store.readRestorePoints(batch).catch(() => undefined)
    for (const [j, runId] of batch.entries())
      points.set(
        runId,
        read.then((found) => found?.[j]),
      )
  }
  return points
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
  // The whole journal is at hand: outputs before the snapshot come from its entries.
  const before = kept.filter((e) => e.seq <= (snapshot?.seq ?? 0))
  const after = kept.filter((e) => e.seq > (snapshot?.seq ?? 0))
  return fromJournal(store, host, wf, record, snapshot, before, after, false)
}

async function fromJournal(
  store: Store,
  host: ExecutorHost,
  wf: CompiledWorkflow,
  record: RunRecord,
  snapshot: SnapshotRecord | undefined,
  outputs: readonly JournalEntry[],
  entries: readonly JournalEntry[],
  asStored: boolean,
): Promise<RunExecutor> {
  const data = emptyRunData()
  if (snapshot) adoptLegacySignals(snapshot, data)
  // Frozen as a live run's records are: views and scopes share what they carry.
  for (const output of outputs) keepData(data, deepFreeze(output))
  for (const entry of entries) if (!entry.rolledBack) keepData(data, deepFreeze(entry))
  // `workflow.completed` lies before the snapshot when the run ended long ago: its record holds
  // the output (not so for a run rebuilt at an earlier position).
  if (asStored && record.status === 'completed') data.output = record.output
  const executor = new RunExecutor(host, wf, record, data, snapshot?.snapshot as never)
  executor.replay(entries)
  await readBufferedSignals(store, executor)
  return executor
}

/**
 * The payloads of buffered signals received before the snapshot are in their journal entries
 * only: read those entries (at most 1,000), not the journal.
 */
async function readBufferedSignals(store: Store, executor: RunExecutor): Promise<void> {
  const missing: number[] = []
  for (const queue of Object.values(executor.state.signals))
    for (const { seq } of queue) if (!executor.data.signals.has(seq)) missing.push(seq)
  if (missing.length === 0) return
  for (const entry of await store.readEntries(executor.runId, missing))
    if (entry.type === 'signal.received') executor.data.signals.set(entry.seq, entry.payload)
}

/**
 * Snapshots written before buffered signals left the run state hold their payloads in
 * `signals` (name → payloads) and no `bufferedSignals`: move the payloads into `data` under
 * positions no journal entry has (below 1), as if they had been received when the snapshot was.
 */
function adoptLegacySignals(snapshot: SnapshotRecord, data: RunData): void {
  const context = (snapshot.snapshot as { context?: RunState }).context
  if (!context || context.bufferedSignals !== undefined) return
  const legacy = (context.signals ?? {}) as unknown as Record<string, unknown[]>
  const signals: Record<string, BufferedSignal[]> = {}
  let count = 0
  for (const [name, payloads] of Object.entries(legacy)) {
    signals[name] = payloads.map((payload) => {
      count += 1
      data.signals.set(-count, payload)
      return { seq: -count, at: snapshot.at }
    })
  }
  context.signals = signals
  context.bufferedSignals = count
}
