import { runInput } from '../boundary'
import { carriedAt, checkpointsOf } from '../core/checkpoints'
import { validateInput } from '../definition/params'
import { InputError, InvalidStateError, NotFoundError } from '../errors'
import type { RunExecutor } from '../runtime/run-executor'
import { FORMAT_VERSION } from '../store/ports/format-version'
import type { JournalEntry, RunRecord } from '../store/store'
import type { CheckpointInfo, ForkOptions } from '../types'
import { openRun, type RunStartContext } from './run-start'

/** What forking a run needs from its engine, besides what starting one does. */
export interface RunForkContext extends RunStartContext {
  /** Resolves once every journal write accepted so far committed: the store has what was published. */
  committed(): Promise<void>
}

/**
 * Starts a new run of `runId`'s definition version from one of its checkpoints (see
 * `Engine.fork`). The source is only read: its journal, up to the checkpoint, gives the outputs
 * and the shared state the new run starts with, journaled whole in its first entry,
 * `workflow.forked`, so the new run restores from its own journal alone. An unknown run or
 * checkpoint, one undone by a rollback, bad input or a taken run id throws a typed error and
 * leaves nothing behind. `by`: the calling principal, who owns the new run (else the source's
 * owner does).
 */
export async function forkRun(
  ctx: RunForkContext,
  runId: string,
  checkpointId: string | undefined,
  options: ForkOptions,
  by: string | undefined,
): Promise<RunExecutor> {
  // Read from the store, not restored: the source may be executed by another engine (a tab),
  // and the fork needs only its record and its journal. A live run's last entries may still be
  // on their way to the store.
  await ctx.committed()
  const source = await ctx.store.getRun(runId)
  ctx.scope.check()
  if (!source) throw new NotFoundError(`No run "${runId}" in store "${ctx.store.name}".`, { value: runId })
  const entries = await ctx.store.readJournal(runId)
  ctx.scope.check()
  const checkpoint = checkpointOf(runId, entries, checkpointId)
  const wf = await ctx.definitions.forRun(source)
  ctx.scope.check()
  let input = source.input
  if (options.input !== undefined) {
    const checked = validateInput(wf.definition, options.input)
    if (!checked.ok) throw new InputError(checked.issues, { value: options.input })
    input = runInput(checked.value)
  }
  const now = ctx.now()
  const timeoutMs = timeoutOf(entries) ?? wf.timeoutMs
  const principal = by ?? source.principal
  const record: RunRecord = {
    runId: options.runId ?? crypto.randomUUID(),
    definitionId: source.definitionId,
    version: source.version,
    definitionDigest: source.definitionDigest,
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    input,
    ...(principal !== undefined && { principal }),
    epoch: 1,
    executor: ctx.executorId,
    seq: 0,
    formatVersion: FORMAT_VERSION,
  }
  const { definitionId, version } = record
  const deadline = timeoutMs === undefined ? {} : { deadline: now + timeoutMs, timeoutMs }
  const forked = {
    type: 'workflow.forked',
    fromRunId: runId,
    checkpointId: checkpoint.checkpointId,
    ...carriedAt(entries, checkpoint),
    at: now,
    ...(by !== undefined && { by }),
  } as const
  const { executor, first } = await openRun(ctx, wf, record, options.runId !== undefined)
  // Queued together, both go in the write that records the run, whose outcome the second one's
  // send resolves with: the run never exists without what it carries over.
  executor.post(forked)
  await executor.send({ type: first, definitionId, version, ...deadline, at: now })
  ctx.runs.recorded(record.runId)
  return executor
}

/** The `timeoutMs` the source run was started with, which its first entry tells. */
function timeoutOf(entries: readonly JournalEntry[]): number | undefined {
  const first = entries.find((e) => e.type === 'workflow.queued' || e.type === 'workflow.started')
  return first && 'timeoutMs' in first ? first.timeoutMs : undefined
}

/** The checkpoint to fork from (default: the latest), or the typed error saying why there is none. */
function checkpointOf(
  runId: string,
  entries: readonly JournalEntry[],
  checkpointId: string | undefined,
): CheckpointInfo {
  const checkpoints = checkpointsOf(runId, entries)
  if (checkpointId === undefined) {
    const latest = checkpoints.at(-1)
    if (latest) return latest
    throw new InvalidStateError(
      `Cannot fork run "${runId}": it has no checkpoint yet, as it has not started.`,
      {
        value: runId,
      },
    )
  }
  const found = checkpoints.find((c) => c.checkpointId === checkpointId)
  if (found) return found
  // The id of a checkpoint is `runId:seq` (or a saved one's own): one a rollback undid is still in the journal.
  const undone = entries.some(
    (e) =>
      e.rolledBack &&
      (((e.type === 'task.completed' || e.type === 'task.cached') && `${runId}:${e.seq}` === checkpointId) ||
        (e.type === 'checkpoint.saved' && e.checkpointId === checkpointId)),
  )
  if (undone) {
    throw new InvalidStateError(
      `Cannot fork run "${runId}" from checkpoint "${checkpointId}": a rollback undid it; see checkpoints(runId) for those that stand.`,
      { value: checkpointId },
    )
  }
  throw new NotFoundError(`Run "${runId}" has no checkpoint "${checkpointId}"; see checkpoints(runId).`, {
    value: checkpointId,
  })
}
