import { runInput } from '../boundary'
import { emptyRunData } from '../core/run-data'
import { definitionDigest } from '../definition/definition-digest'
import { validateInput } from '../definition/params'
import { ArgumentError, ForbiddenError, InputError } from '../errors'
import type { DefinitionRegistry } from '../host/definition-registry'
import type { DiskFull } from '../host/disk-full'
import type { EngineScope } from '../host/engine-scope'
import type { LiveRuns } from '../host/live-runs'
import { tryLockRun } from '../host/locks'
import { type ExecutorHost, RunExecutor } from '../runtime/run-executor'
import { runInfo } from '../runtime/run-view'
import { FORMAT_VERSION } from '../store/ports/format-version'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow, RunInfo, StartOptions } from '../types'
import type { Access } from './access'
import { checkId, checkStartOptions } from './engine-arguments'

/** What starting a run needs from its engine. */
export interface RunStartContext {
  readonly store: Store
  readonly definitions: DefinitionRegistry
  readonly scope: EngineScope
  readonly host: ExecutorHost
  readonly runs: LiveRuns
  /** The starting engine's id, the new run's executor. */
  readonly executorId: string
  readonly access: Access
  /** What the engine knows of the storage quota: a full disk refuses new runs. */
  readonly disk?: DiskFull
  now(): number
}

/**
 * Starts a run of `definitionId` (see `Engine.start`): checks the arguments and the input,
 * asks `authorize`, takes the run's lock, and records the run with its first entry in one journal
 * write. A bad argument, a refusal or a taken run id throws a typed error and leaves nothing
 * behind. `acting`: the calling principal, who owns the run unless `options.principal` names
 * one (only the caller itself when there is a caller) and whom the first entry names as `by`.
 */
export async function startRun(
  ctx: RunStartContext,
  definitionId: string,
  input: Record<string, unknown>,
  options: StartOptions,
  acting?: string,
): Promise<RunInfo> {
  checkId('definition id', definitionId)
  checkStartOptions(options)
  const principal = options.principal ?? acting
  if (acting !== undefined && principal !== acting) {
    // Starting a run in someone else's name would let a caller pass for another (an approver
    // who may not approve their own run, say).
    throw new ForbiddenError(
      `start: principal "${principal}" is not the calling principal "${acting}"; leave principal out (it defaults to the caller).`,
      { value: principal },
    )
  }
  if (ctx.access.asks) {
    await ctx.access.check({ principal: acting, verb: 'start', definitionId })
    ctx.scope.check()
  }
  const { wf, version } = await ctx.definitions.forStart(definitionId, options.version)
  ctx.scope.check()
  const checked = validateInput(wf.definition, input)
  if (!checked.ok) throw new InputError(checked.issues, { value: input })
  if (options.runId !== undefined) checkId('runId', options.runId)
  const timeoutMs = options.timeoutMs ?? wf.timeoutMs
  if (
    !(timeoutMs === undefined || (typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs < Infinity))
  ) {
    throw new ArgumentError(
      `start: timeoutMs must be a number of milliseconds > 0; got ${String(timeoutMs)}.`,
      {
        value: timeoutMs,
      },
    )
  }
  // Checked last: a bad argument is the caller's to fix whatever the disk.
  ctx.disk?.refuseNew(`start of a run of "${definitionId}"`)
  const now = ctx.now()
  const deadline = timeoutMs === undefined ? {} : { deadline: now + timeoutMs, timeoutMs }
  const record: RunRecord = {
    runId: options.runId ?? crypto.randomUUID(),
    definitionId,
    version,
    definitionDigest: definitionDigest(wf.definition),
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    input: runInput(checked.value),
    ...(principal !== undefined && { principal }),
    ...(options.parent !== undefined && { parentRunId: options.parent.runId }),
    epoch: 1,
    executor: ctx.executorId,
    seq: 0,
    formatVersion: FORMAT_VERSION,
  }
  const by = principal === undefined ? {} : { by: principal }
  const { executor, first } = await openRun(ctx, wf, record, options.runId !== undefined)
  // The record is written with the run's first entries, in one transaction: a start() that
  // fails to write leaves no record that a later engine would recover and run.
  await executor.send({ type: first, definitionId, version, ...deadline, at: now, ...by })
  ctx.runs.recorded(record.runId)
  return runInfo(executor)
}

/**
 * Takes the new run's lock, checks that no run has its id (when the caller named it), and adds
 * the run, not yet recorded, to the live runs: whether it starts at once or queues is `first`,
 * its first entry, which the caller sends (the write of that entry records the run), then calls
 * `runs.recorded`. A taken run id throws `INVALID_ARGUMENT` and leaves nothing behind.
 */
export async function openRun(
  ctx: RunStartContext,
  wf: CompiledWorkflow,
  record: RunRecord,
  namedId: boolean,
): Promise<{ executor: RunExecutor; first: 'workflow.started' | 'workflow.queued' }> {
  const lock = await tryLockRun(ctx.store.name, record.runId)
  if (!lock) {
    throw new ArgumentError(`Run id "${record.runId}" is in use by another engine; pick another runId.`, {
      value: record.runId,
    })
  }
  try {
    // Only a caller's id can name a stored run: a generated one is a random UUID, and reading
    // the store for it would cost every start a store read (a transaction on IndexedDB).
    if (namedId && (await ctx.store.getRun(record.runId))) {
      throw new ArgumentError(`A run with id "${record.runId}" exists already; pick another runId.`, {
        value: record.runId,
      })
    }
    ctx.scope.check()
  } catch (error) {
    await lock.release()
    throw error
  }
  const executor = new RunExecutor(ctx.host, wf, record, emptyRunData(), undefined, { newRun: true })
  const first = ctx.runs.add(executor, lock) ? 'workflow.started' : 'workflow.queued'
  return { executor, first }
}
