import { EngineClosedError } from '../errors'
import type { ChildLinks } from '../host/child-links'
import type { DeadlineWakeups } from '../host/deadline-wakeups'
import type { DefinitionRegistry } from '../host/definition-registry'
import type { EngineScope } from '../host/engine-scope'
import type { LiveRuns } from '../host/live-runs'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import { runInfo } from '../runtime/run-view'
import type { Store } from '../store/store'
import type { RunInfo } from '../types'
import type { Access } from './access'

/** What recovering the store's runs needs from the engine. */
export interface RecoveryContext {
  readonly store: Store
  readonly scope: EngineScope
  readonly access: Access
  readonly definitions: DefinitionRegistry
  readonly runs: LiveRuns
  readonly wakeups: DeadlineWakeups
  readonly children: ChildLinks
}

/**
 * Takes over and resumes the store's interrupted runs (see `Engine.recover`), inside the
 * engine's scope. `acting`: the caller, asked about; `null` for the engine's own recovery on
 * creation, which nobody calls.
 */
export async function recoverRuns(
  ctx: RecoveryContext,
  acting: string | undefined | null,
): Promise<RunInfo[]> {
  return ctx.scope.run(async () => {
    if (acting !== null && ctx.access.asks) {
      await ctx.access.check({ principal: acting, verb: 'recover' })
      ctx.scope.check()
    }
    const records = await ctx.store.listRuns({ status: ['running', 'queued'] })
    ctx.scope.check()
    // Passive runs are left out below: the deadline heap wakes them (at once if overdue).
    ctx.wakeups.recovered()
    ctx.children.recoverPassive(records, (record) => ctx.definitions.forRun(record))
    return (await ctx.runs.recoverAll(records.reverse())).map(runInfo)
  })
}

/**
 * The engine's recovery on creation. Nobody awaits it: a failure is reported, as an uncaught
 * error would be; the runs stay as stored and a later `recover()` retries them. A `close()` that
 * cuts it short is no failure. Resolves once it is over, either way.
 */
export function recoverOnCreation(ctx: RecoveryContext): Promise<void> {
  return recoverRuns(ctx, null).then(
    () => undefined,
    (error) => {
      if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
    },
  )
}
