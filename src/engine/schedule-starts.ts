import { ArgumentError, InvalidStateError } from '../errors'
import type { CancelScheduled, ScheduledStart, StartScheduled } from '../host/schedule-firing'
import { type ControlContext, callControl } from './call-control'
import { type RunStartContext, startRun } from './run-start'

/**
 * How the leader's schedule service starts an occurrence's run: `startRun` with the fixed run id
 * `sched:<id>:<scheduledAt>`, as the schedule's principal. A taken id ("exists already", or "in
 * use by another engine" that is starting it now) means the occurrence was fired before, by
 * another tab or before a crash: `'exists'`, never a second run.
 */
export function scheduledStarts(ctx: RunStartContext): StartScheduled {
  return async (start: ScheduledStart) => {
    const options = { runId: start.runId, ...(start.version !== undefined && { version: start.version }) }
    try {
      await ctx.scope.run(() => startRun(ctx, start.workflow, start.input ?? {}, options, start.principal))
      return 'started'
    } catch (error) {
      if (error instanceof ArgumentError && error.value === start.runId) return 'exists'
      throw error
    }
  }
}

/**
 * How `overlap: 'cancel-other'` cancels the run still going, as the schedule's principal. A run
 * that ended meanwhile (`INVALID_STATE`) needs no cancel: the new occurrence starts all the same.
 */
export function scheduledCancels(controls: () => ControlContext): CancelScheduled {
  return async (runId, principal) => {
    const ctx = controls()
    try {
      await callControl(principal === undefined ? ctx : { ...ctx, principal }, 'cancel', [
        runId,
        'overlap: cancel-other (the next occurrence of its schedule started)',
      ])
    } catch (error) {
      if (!(error instanceof InvalidStateError)) throw error
    }
  }
}
