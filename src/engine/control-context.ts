import type { ChildLinks } from '../host/child-links'
import { rollBack } from '../host/rollback'
import type { JournalWriter } from '../runtime/journal'
import type { RunExecutor } from '../runtime/run-executor'
import type { ControlContext } from './call-control'
import type { EngineOptions } from './engine-types'
import { forkRun } from './run-fork'
import type { RunStartContext } from './run-start'

/** What the engine's control calls are made from, besides what starting a run needs. */
export interface ControlContextParts extends RunStartContext {
  readonly journal: JournalWriter
  readonly children: ChildLinks
  readonly groupsOf: EngineOptions['groupsOf']
  /** The run as it is now (live, recently ended or stored), without taking it over. */
  find(runId: string): Promise<RunExecutor | undefined>
}

/**
 * The context the engine lends its control calls (`callControl`): its live runs and `authorize`,
 * with `rollBack` and `fork` carried out on its store and host. `engine.as(p)` copies it with
 * its `principal`.
 */
export function controlContext(parts: ControlContextParts): ControlContext {
  const { store, host, runs, now, find } = parts
  return {
    scope: parts.scope,
    runs,
    now,
    find,
    ...(parts.groupsOf && { groupsOf: parts.groupsOf }),
    access: parts.access,
    children: parts.children,
    rollBack: (runId, checkpointId, by) =>
      rollBack({ store, host, runs, now, find, closing: parts.scope.signal }, runId, checkpointId, by),
    fork: (runId, checkpointId, options, by) =>
      forkRun({ ...parts, committed: () => parts.journal.committed() }, runId, checkpointId, options, by),
  }
}
