import { InvalidStateError, NotFoundError, toErrorInfo } from '../errors'
import type { Store } from '../store/store'
import { checkpointsOf } from './checkpoints'
import { compensate } from './compensation'
import type { LiveRuns } from './live-runs'
import type { ExecutorHost, RunExecutor } from './run-executor'
import { restoreRun } from './run-restore'

interface RollbackContext {
  store: Store
  host: ExecutorHost
  runs: LiveRuns
  now(): number
}

/**
 * Rolls a run back to a checkpoint (default: the latest). Stops the run, runs the compensations
 * of the tasks completed after the checkpoint (newest first), marks the journal entries after it
 * rolled back, rebuilds the run from the store as it was at the checkpoint and records
 * `workflow.rolled-back`, which leaves it paused. If a compensation fails, nothing is rolled
 * back: the run is reloaded as stored, paused, and the error is thrown.
 * The journal must be settled (nothing queued) when this is called.
 */
export async function rollBack(
  ctx: RollbackContext,
  executor: RunExecutor,
  checkpointId: string | undefined,
): Promise<RunExecutor> {
  const { runId } = executor
  const status = executor.state.status
  if (status !== 'running' && status !== 'paused' && status !== 'failed') {
    throw new InvalidStateError(
      `Cannot roll back run "${runId}": it is ${status}; only running, paused or failed runs roll back.`,
      { value: { runId, status } },
    )
  }
  const entries = await ctx.store.readJournal(runId)
  const checkpoints = checkpointsOf(runId, entries)
  const target =
    checkpointId === undefined ? checkpoints.at(-1) : checkpoints.find((c) => c.checkpointId === checkpointId)
  if (!target) {
    throw checkpointId === undefined
      ? new InvalidStateError(
          `Run "${runId}" has no checkpoint yet (one is saved after every completed task).`,
          {
            value: runId,
          },
        )
      : new NotFoundError(`Run "${runId}" has no checkpoint "${checkpointId}"; see checkpoints(runId).`, {
          value: checkpointId,
        })
  }
  executor.stop('the run is being rolled back')
  ctx.runs.remove(runId)
  let compensated: string[]
  try {
    compensated = await compensate(
      executor,
      entries.filter((e) => !e.rolledBack && e.seq > target.seq),
    )
  } catch (error) {
    await ctx.runs.adoptAgain(runId, {
      type: 'workflow.paused',
      reason: toErrorInfo(error).message,
      at: ctx.now(),
    })
    throw error
  }
  await ctx.store.rollBack(runId, target.seq, executor.record.epoch)
  const restored = await restoreRun(ctx.store, executor.record, executor.wf, ctx.host)
  ctx.runs.replace(restored)
  await restored.send({
    type: 'workflow.rolled-back',
    checkpointId: target.checkpointId,
    toSeq: target.seq,
    lastSeq: entries.at(-1)?.seq ?? target.seq,
    compensated,
    at: ctx.now(),
  })
  return restored
}
