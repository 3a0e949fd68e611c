import type { ChildRunStarted } from '../actions/builtin-context'
import { ArgumentError, InvalidStateError, TaskError } from '../errors'
import type { ChildStart, ChildStarter } from '../runtime/child-start'
import type { RunRecord, Store } from '../store/store'
import type { RunStartContext } from './run-start'
import { startRun } from './run-start'

/** How deep child runs nest by default: a run started by a run started by … a top-level run, 8 times over. */
export const MAX_CHILD_DEPTH = 8

/** What starting child runs needs besides starting a run: control calls on a child found again. */
export interface ChildStarterContext extends RunStartContext {
  /** A control call (`retryTask`, `resume`) on a child, as `engine.as(principal)[name](...args)` makes it. */
  control(
    name: 'retryTask' | 'resume' | 'pause' | 'cancel',
    args: unknown[],
    principal?: string,
  ): Promise<unknown>
  /** The run's record, live or stored. */
  recordOf(runId: string): Promise<RunRecord | undefined>
  /** `EngineOptions.maxChildDepth`. */
  maxDepth: number
}

/**
 * The engine's `ChildStarter`: starts a child run under its deterministic id, pinned to the
 * version resolved now, with the parent's principal, at most `maxDepth` deep. A child
 * that exists already (an earlier attempt, a recovery after a crash) is not started again: a
 * failed one has its failed tasks retried (the retry of the parent's task retries the child),
 * a paused one (rolled back with its parent) is resumed.
 */
export function childStarter(ctx: ChildStarterContext): ChildStarter {
  return async (start) => {
    // Every call made for the parent's task is made in the parent's name.
    const own: ChildStarterContext = {
      ...ctx,
      control: (name, args) => ctx.control(name, args, start.parent.principal),
    }
    const existing = await ctx.recordOf(start.runId)
    if (existing) return carryOn(own, start, existing)
    await checkDepth(ctx.store, start, ctx.maxDepth)
    try {
      const info = await ctx.scope.run(() =>
        // Started in the parent's name: `authorize` is asked about the parent's principal.
        startRun(
          ctx,
          start.workflow,
          start.input,
          {
            ...(start.version !== undefined && { version: start.version }),
            runId: start.runId,
            parent: { runId: start.parent.runId, taskId: start.taskId },
          },
          start.parent.principal,
        ),
      )
      await followParent(own, start)
      return { runId: info.runId, version: info.version, status: info.status }
    } catch (error) {
      // Started meanwhile by another engine recovering the same parent: that child is this one.
      const again = error instanceof ArgumentError ? await ctx.recordOf(start.runId) : undefined
      if (again) return carryOn(own, start, again)
      throw error
    }
  }
}

async function carryOn(
  ctx: ChildStarterContext,
  start: ChildStart,
  child: RunRecord,
): Promise<ChildRunStarted> {
  if (child.parentRunId !== start.parent.runId) {
    throw new TaskError(
      'INVALID_STATE',
      `Task "${start.taskId}": run "${start.runId}" exists and is not a child of run "${start.parent.runId}"; its id is taken.`,
      { taskId: start.taskId, value: start.runId },
    )
  }
  if (child.status === 'failed') await retryFailedTasks(ctx, child.runId)
  else if (child.status === 'paused') await ctx.control('resume', [child.runId])
  const now = (await ctx.recordOf(child.runId)) ?? child
  return { runId: child.runId, version: child.version, status: now.status }
}

/**
 * The parent was cancelled or paused while its child was starting: its cascade could not reach
 * a child that did not exist yet, so the child is cancelled (unless it is to be abandoned) or
 * paused now. A paused child is resumed with its parent (`resume` cascades).
 */
async function followParent(ctx: ChildStarterContext, start: ChildStart): Promise<void> {
  // A live parent's state is ahead of its record: a call applied there may not be committed yet.
  const status =
    ctx.runs.get(start.parent.runId)?.state.status ?? (await ctx.store.getRun(start.parent.runId))?.status
  if (status === 'cancelled' && start.onParentCancel !== 'abandon') {
    const reason = `the parent run "${start.parent.runId}" was cancelled`
    await passOn(ctx, start.runId, 'cancel', [reason], (s) => s !== 'completed' && s !== 'cancelled')
  } else if (status === 'paused') await passOn(ctx, start.runId, 'pause', [], (s) => s === 'running')
}

/**
 * Makes the call on the child; a child that ended (or left the state the call fits) before the
 * call reached it, as one that finishes at once does, is left as it is.
 */
async function passOn(
  ctx: ChildStarterContext,
  runId: string,
  name: 'pause' | 'cancel',
  args: unknown[],
  takes: (status: RunRecord['status']) => boolean,
): Promise<void> {
  try {
    await ctx.control(name, [runId, ...args])
  } catch (error) {
    const status = ctx.runs.get(runId)?.state.status ?? (await ctx.recordOf(runId))?.status
    if (!(error instanceof InvalidStateError) || status === undefined || takes(status)) throw error
  }
}

async function retryFailedTasks(ctx: ChildStarterContext, runId: string): Promise<void> {
  const run = await ctx.runs.executing(runId)
  try {
    const failed = run.wf.order.filter((id) => {
      const t = run.state.tasks[id]!
      return t.status === 'failed' && !t.continued
    })
    for (const taskId of failed) await ctx.control('retryTask', [runId, taskId])
  } finally {
    await ctx.runs.releaseIfEnded(run)
  }
}

/** Refuses a child deeper than `maxDepth`, counting the parent's ancestors in the store. */
async function checkDepth(store: Store, start: ChildStart, maxDepth: number): Promise<void> {
  let depth = 1
  let ancestor: RunRecord | undefined = start.parent
  while (ancestor?.parentRunId !== undefined && depth <= maxDepth) {
    depth += 1
    ancestor = await store.getRun(ancestor.parentRunId)
  }
  if (depth <= maxDepth) return
  throw new TaskError(
    'INVALID_STATE',
    `Task "${start.taskId}" cannot start workflow "${start.workflow}": child runs nest at most ${maxDepth} deep (EngineOptions.maxChildDepth), and run "${start.parent.runId}" is at that depth already. A workflow that starts itself needs a condition (when) that ends the recursion.`,
    { taskId: start.taskId, value: start.runId },
  )
}
