import { checkpointsOf } from '../core/checkpoints'
import type { RunEvent } from '../core/run-reducer'
import { InvalidStateError, NotFoundError, StaleExecutorError, toErrorInfo } from '../errors'
import { compensate } from '../runtime/compensation'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { ExecutorHost, RunExecutor } from '../runtime/run-executor'
import { restoreAt } from '../runtime/run-restore'
import type { JournalEntry, Store } from '../store/store'
import type { CheckpointInfo } from '../types'
import type { LiveRuns } from './live-runs'

interface RollbackContext {
  store: Store
  host: ExecutorHost
  runs: LiveRuns
  now(): number
  /** Aborted when the engine starts closing: a compensation waiting or running then ends. */
  closing: AbortSignal
  /** The run as it is now (live or stored), without taking it over. */
  find(runId: string): Promise<RunExecutor | undefined>
}

/**
 * Rolls a run back to a checkpoint (default: the latest). First the call is checked against the
 * run as it is, live or stored, so a refused call changes nothing. Then the run is fenced: it
 * stops executing and what it queued commits (a stored run is locked and claimed, and nothing of
 * it resumes). Only then is the journal read, so every completion that committed — published or
 * not, the run's own `workflow.completed` included — is compensated (newest first) and marked
 * rolled back, never erased. The run is rebuilt as it was at the checkpoint and records
 * `workflow.rolled-back` after the last position it ever used, which leaves it paused and
 * executed by this engine (`by`: who asked for it). If a compensation fails, nothing is rolled back: the run goes on as
 * stored (a running run is paused) and the error is thrown.
 */
export async function rollBack(
  ctx: RollbackContext,
  runId: string,
  checkpointId: string | undefined,
  by?: string,
): Promise<RunExecutor> {
  const current = await ctx.find(runId)
  if (!current) throw new NotFoundError(`No run "${runId}" in store "${ctx.store.name}".`, { value: runId })
  checkStatus(current)
  targetOf(runId, await ctx.store.readJournal(runId), checkpointId)

  const executor = await ctx.runs.fence(runId)
  let restored: RunExecutor
  let rolledBack: RunEvent
  try {
    const entries = await ctx.store.readJournal(runId)
    // The run may have ended while it was fenced: completed is fine, cancelled is not.
    checkStatus(executor)
    // Compensations are side effects: never run them for a run another engine took meanwhile.
    if (!ctx.runs.holds(runId)) {
      throw new InvalidStateError(
        `Run "${runId}" was taken over by another engine while it was being rolled back; roll it back there.`,
        { value: runId },
      )
    }
    const target = targetOf(runId, entries, checkpointId)
    // A write that failed while fencing still used its positions: they are never given again.
    const lastSeq = Math.max(entries.at(-1)?.seq ?? 0, executor.state.seq)
    await rollBackChildren(ctx, entries, target.seq, by)
    const compensated = await compensate(
      executor,
      entries.filter((e) => !e.rolledBack && e.seq > target.seq),
      ctx.closing,
    )
    restored = await restoreAt(ctx.store, executor.record, executor.wf, ctx.host, entries, target.seq)
    rolledBack = {
      type: 'workflow.rolled-back',
      checkpointId: target.checkpointId,
      toSeq: target.seq,
      lastSeq,
      compensated,
      at: ctx.now(),
      ...(by !== undefined && { by }),
    }
  } catch (error) {
    // Another engine took the run over meanwhile: it is that engine's now. The engine closes:
    // the run stays as stored, unlocked, for whoever executes it next.
    if (error instanceof StaleExecutorError || !ctx.runs.holds(runId) || ctx.closing.aborted)
      ctx.runs.letGo(runId)
    else {
      const pause: RunEvent = { type: 'workflow.paused', reason: toErrorInfo(error).message, at: ctx.now() }
      // The rollback's own error is the answer; a failure to go on as stored is reported.
      await ctx.runs.giveBack(runId, pause).catch((failure) => reportUnhandledError(failure))
    }
    throw error
  }
  // The store marks the entries after the checkpoint in the very write that records the rollback.
  // From here a failed write is the live run's: it is reloaded as stored, like any other.
  ctx.runs.replace(restored)
  await restored.send(rolledBack)
  return restored
}

/**
 * Children first: each child run started after the checkpoint is rolled back to its own start
 * (its completed tasks compensated, newest child first) and left paused; the parent's task,
 * run again, finds it under its id and resumes it. Children started before it are kept.
 */
async function rollBackChildren(
  ctx: RollbackContext,
  entries: readonly JournalEntry[],
  afterSeq: number,
  by: string | undefined,
): Promise<void> {
  const started = entries.filter((e) => e.type === 'child.started' && !e.rolledBack && e.seq > afterSeq)
  for (const entry of started.reverse()) {
    if (entry.type !== 'child.started') continue
    const child = await ctx.find(entry.childRunId)
    const status = child?.state.status
    if (status === undefined || status === 'queued' || status === 'cancelled') continue
    await rollBack(ctx, entry.childRunId, `${entry.childRunId}:0`, by)
  }
}

function checkStatus(executor: RunExecutor): void {
  const status = executor.state.status
  if (status === 'queued' || status === 'cancelled') {
    throw new InvalidStateError(
      `Cannot roll back run "${executor.runId}": it is ${status}; only running, paused, failed or completed runs roll back.`,
      { value: { runId: executor.runId, status } },
    )
  }
}

function targetOf(
  runId: string,
  entries: readonly JournalEntry[],
  checkpointId: string | undefined,
): CheckpointInfo {
  const checkpoints = checkpointsOf(runId, entries)
  const target =
    checkpointId === undefined ? checkpoints.at(-1) : checkpoints.find((c) => c.checkpointId === checkpointId)
  if (target) return target
  throw checkpointId === undefined
    ? new InvalidStateError(`Run "${runId}" has no checkpoint yet: it has not started.`, { value: runId })
    : new NotFoundError(`Run "${runId}" has no checkpoint "${checkpointId}"; see checkpoints(runId).`, {
        value: checkpointId,
      })
}
