import type { RunEvent } from '../core/run-reducer'
import { InvalidStateError } from '../errors'
import type { EngineScope } from '../host/engine-scope'
import type { RunExecutor } from '../runtime/run-executor'
import { CONTROLS, type ControlName } from './controls'

/** The control calls a parent passes on to its child runs before it takes them itself. */
export type CascadingCall = 'pause' | 'resume' | 'cancel'

/** What passing a call on to children needs: the engine's control context. */
export interface CascadeContext {
  scope: EngineScope
  runs: { get(runId: string): RunExecutor | undefined }
  now(): number
  find(runId: string): Promise<RunExecutor | undefined>
}

export function isCascading(name: ControlName): name is CascadingCall {
  return name === 'pause' || name === 'resume' || name === 'cancel'
}

/**
 * Passes `name` on to the child runs of `parent` that take it (each passes it on to its own
 * first): children are paused, resumed or cancelled before their parent. Children started with
 * `onParentCancel: 'abandon'` are left running when the parent is cancelled.
 */
export async function cascadeToChildren(
  ctx: CascadeContext,
  name: CascadingCall,
  parent: RunExecutor,
  control: (name: CascadingCall, args: unknown[]) => Promise<unknown>,
): Promise<void> {
  for (const link of [...(parent.state.children ?? [])]) {
    if (name === 'cancel' && link.abandon) continue
    const child = ctx.runs.get(link.runId) ?? (await ctx.find(link.runId))
    ctx.scope.check()
    if (!child) continue
    const reason = `the parent run "${parent.runId}" was cancelled`
    const target = { runId: link.runId, reason }
    const event = { ...CONTROLS[name].event(target, child.state), at: ctx.now() } as RunEvent
    // A child that ended, or is not in a state the call fits, is left as it is.
    if (!child.can(event)) continue
    try {
      await control(name, name === 'cancel' ? [link.runId, reason] : [link.runId])
    } catch (error) {
      // The child ended (or changed) between the look above and its own call, which awaits
      // (authorize, a load): it is left as it is now, as it would have been a moment earlier.
      if (!(error instanceof InvalidStateError) || (await fits(ctx, link.runId, event))) throw error
    }
  }
}

/** Whether the child run takes `event` as it is now. */
async function fits(ctx: CascadeContext, runId: string, event: RunEvent): Promise<boolean> {
  const child = ctx.runs.get(runId) ?? (await ctx.find(runId))
  ctx.scope.check()
  return child?.can(event) ?? false
}
