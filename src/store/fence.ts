import { StaleExecutorError } from '../errors'
import type { RunRecord } from './ports/run-store'

/**
 * Refuses a write fenced with `epoch` when the run's stored record holds another one: the run
 * was claimed since (see `RunStore.claimRun`). A run with no record is not fenced.
 */
export function fence(runId: string, epoch: number, stored: RunRecord | undefined): void {
  if (stored && stored.epoch !== epoch) {
    throw new StaleExecutorError(
      `Run "${runId}" was taken over by another executor (epoch ${stored.epoch}, this one holds ${epoch}); this engine may no longer write it.`,
      { value: { runId, epoch, current: stored.epoch } },
    )
  }
}
