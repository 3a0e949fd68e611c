import type { RunEvent } from '../core/run-reducer'
import { InvalidStateError, NotFoundError } from '../errors'
import type { ChildLinks } from '../host/child-links'
import type { EngineScope } from '../host/engine-scope'
import type { LiveRuns } from '../host/live-runs'
import type { RunExecutor } from '../runtime/run-executor'
import { runInfo } from '../runtime/run-view'
import type { Access } from './access'
import { type Decider, type DeciderLookup, deciderOf, refuseDecision } from './approval-decision'
import { cascadeToChildren, isCascading } from './child-cascade'
import {
  type AnyControlCall,
  CONTROLS,
  type ControlHost,
  type ControlName,
  type ControlTarget,
  type EventCall,
  isHostCall,
} from './controls'
import type { DecisionTarget } from './decision-arguments'

/** What the engine lends its control calls. */
export interface ControlContext extends ControlHost, DeciderLookup {
  scope: EngineScope
  runs: LiveRuns
  now(): number
  /** The run as it is now (live, recently ended or stored), without taking it over. */
  find(runId: string): Promise<RunExecutor | undefined>
  /** Asks `EngineOptions.authorize` about each call before it changes anything. */
  access: Access
  /** Who makes the calls (`engine.as(p)`): asked about, and stamped as `by` on their events. */
  principal?: string
  /** Child runs' ends, kept from a parent while its cancel cascades. */
  children: Pick<ChildLinks, 'cancelling'>
}

/**
 * Carries out the control call `name` of the table: checks its arguments before anything is
 * read, then, inside the engine scope, asks `authorize`, applies its event to the run (or has
 * the host carry it out), and resolves to what the call returns. A call that does not fit the
 * run, or that its principal may not make, is refused with a typed error and changes nothing.
 */
export async function callControl(ctx: ControlContext, name: ControlName, args: unknown[]): Promise<unknown> {
  const call = CONTROLS[name] as AnyControlCall
  const target = call.args(...args)
  const run = await ctx.scope.run(async () => {
    if (ctx.access.asks) {
      const { runId, taskId } = target
      await ctx.access.check({ principal: ctx.principal, verb: name, runId, taskId })
      ctx.scope.check()
    }
    if (isHostCall(call)) return call.host(target, ctx, ctx.principal)
    return isCascading(name) ? applyToFamily(ctx, name, call, target) : applyEvent(ctx, call, target)
  })
  return call.result ? call.result(target, run) : runInfo(run)
}

/**
 * Pause, resume and cancel of a run with child runs: checked against the parent first (a call
 * it refuses changes nothing), then passed on to the children, then applied to the parent.
 */
async function applyToFamily(
  ctx: ControlContext,
  name: 'pause' | 'resume' | 'cancel',
  call: EventCall<unknown[], ControlTarget, unknown>,
  target: ControlTarget,
): Promise<RunExecutor> {
  const parent = ctx.runs.get(target.runId) ?? (await ctx.find(target.runId))
  ctx.scope.check()
  const control = (child: ControlName, args: unknown[]) => callControl(ctx, child, args)
  if (!parent?.state.children?.length) {
    const applied = await applyEvent(ctx, call, target)
    // A child whose start was under way is recorded meanwhile: a cancel or pause reaches it too.
    if (name !== 'resume' && applied.state.children?.length)
      await cascadeToChildren(ctx, name, applied, control)
    return applied
  }
  eventFor(ctx, call, target, parent, undefined)
  const family = async () => {
    await cascadeToChildren(ctx, name, parent, control)
    const applied = await applyEvent(ctx, call, target)
    // A child recorded while the parent's cancel was on its way is cancelled too.
    if (name === 'cancel') await cascadeToChildren(ctx, name, applied, control)
    return applied
  }
  return name === 'cancel' ? ctx.children.cancelling(target.runId, family) : family()
}

async function applyEvent(
  ctx: ControlContext,
  call: EventCall<unknown[], ControlTarget, unknown>,
  target: ControlTarget,
): Promise<RunExecutor> {
  // Who decides an approval is looked up before the run is read: what follows, from reading
  // the run to sending the event, then sees one state of the run.
  const decider = call.decides ? await deciderOf(ctx, target as DecisionTarget, ctx.scope.signal) : undefined
  ctx.scope.check()
  // A run that is not live is checked as stored first: a call that does not fit must not
  // take the run over (a lock, a new epoch, a recovery entry) on its way to being refused.
  if (!ctx.runs.get(target.runId)) {
    const stored = await ctx.find(target.runId)
    ctx.scope.check()
    if (stored) eventFor(ctx, call, target, stored, decider)
  }
  const executor = await ctx.runs.executing(target.runId)
  try {
    await executor.send(eventFor(ctx, call, target, executor, decider))
    return executor
  } finally {
    // A failed run that took a checkpoint or a signal stays failed: it gives its lock back.
    await ctx.runs.releaseIfEnded(executor)
  }
}

/** The call's event for the run as it is now, or the typed error saying why the run refuses it. */
function eventFor(
  ctx: ControlContext,
  call: EventCall<unknown[], ControlTarget, unknown>,
  target: ControlTarget,
  run: RunExecutor,
  decider: Decider | undefined,
): RunEvent {
  const { runId, taskId } = target
  if (taskId !== undefined && !run.wf.tasks.has(taskId)) {
    throw new NotFoundError(`Run "${runId}" has no task "${taskId}".`, { value: taskId })
  }
  if (decider) refuseDecision(decider, target as DecisionTarget, run, call.rule)
  const by = ctx.principal
  const event = {
    ...call.event(target, run.state),
    at: ctx.now(),
    ...(by !== undefined && { by }),
  } as RunEvent
  if (!run.can(event)) {
    const status = run.state.status
    const what = taskId
      ? `task "${taskId}" is ${run.state.tasks[taskId]!.status} and the run is ${status}`
      : `it is ${status}`
    throw new InvalidStateError(`Cannot ${call.verb(target)} run "${runId}": ${what}; ${call.rule}.`, {
      value: { runId, taskId, status },
    })
  }
  return event
}
