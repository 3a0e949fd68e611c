import { ArgumentError } from '../errors'
import { infoOf } from '../runtime/run-view'
import type { RunQuery, RunRecord } from '../store/store'
import { checkOptions } from '../store/store-arguments'
import type { ForkOptions, RunFilter, RunInfo, RunStatus, StartOptions, WaitOptions } from '../types'
import { checkCacheOption } from './cache-options'
import type { EngineOptions } from './engine-types'
import { checkFilesOption } from './files-arguments'
import { checkHttpOptions } from './http-access'
import { checkModels } from './model-options'
import { checkRetentionOption } from './purge-arguments'
import { decodeRunCursor } from './run-cursor'
import { checkSecretsOption } from './secret-arguments'

const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']

/** A stored run's summary. */
export function recordInfo(r: RunRecord): RunInfo {
  return infoOf(r, r)
}

export function checkId(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.length > 200) {
    throw new ArgumentError(
      `${what} must be a non-empty string of at most 200 characters, got ${describe(value)}.`,
      {
        value,
      },
    )
  }
}

export function checkLimit(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError(`maxConcurrentRuns must be a whole number ≥ 1, got ${JSON.stringify(value)}.`, {
      value,
    })
  }
  return value
}

// Every field of each options type, so that the compiler says when one is added or dropped.
const ENGINE_OPTIONS = {
  store: true,
  actions: true,
  actionAliases: true,
  maxConcurrentRuns: true,
  defaults: true,
  clock: true,
  random: true,
  snapshotEvery: true,
  recover: true,
  inspect: true,
  groupsOf: true,
  authorize: true,
  machines: true,
  maxChildDepth: true,
  secrets: true,
  http: true,
  limits: true,
  retention: true,
  cache: true,
  files: true,
  models: true,
} as const satisfies Record<keyof EngineOptions, true>
const START_OPTIONS = {
  version: true,
  runId: true,
  principal: true,
  timeoutMs: true,
  parent: true,
} as const satisfies Record<keyof StartOptions, true>
const FORK_OPTIONS = { input: true, runId: true } as const satisfies Record<keyof ForkOptions, true>
const WAIT_OPTIONS = { timeoutMs: true } as const satisfies Record<keyof WaitOptions, true>
const RUN_FILTER_FIELDS = {
  status: true,
  definitionId: true,
  parentRunId: true,
  createdAfter: true,
  createdBefore: true,
  limit: true,
  cursor: true,
} as const satisfies Record<keyof RunFilter, true>

/** `createEngine`'s options: an object of known fields. */
export function checkEngineOptions(options: unknown): asserts options is EngineOptions {
  checkOptions('createEngine', options, ENGINE_OPTIONS)
  const { groupsOf, authorize } = options as EngineOptions
  if (groupsOf !== undefined && typeof groupsOf !== 'function') {
    throw new ArgumentError(
      `createEngine: groupsOf must be a function (principal) => group names, got ${describe(groupsOf)}.`,
      { value: groupsOf },
    )
  }
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new ArgumentError(
      `createEngine: authorize must be a function ({ principal, verb, runId?, definitionId?, taskId? }) => boolean | Promise<boolean>; got ${describe(authorize)}.`,
      { value: authorize },
    )
  }
  checkMachines((options as EngineOptions).machines)
  checkHttpOptions((options as EngineOptions).http)
  checkFilesOption((options as EngineOptions).files)
  checkSecretsOption((options as EngineOptions).secrets)
  checkModels((options as EngineOptions).models, (options as EngineOptions).secrets)
  checkRetentionOption((options as EngineOptions).retention)
  checkCacheOption((options as EngineOptions).cache)
  const { maxChildDepth } = options as EngineOptions
  if (maxChildDepth !== undefined && !(Number.isInteger(maxChildDepth) && maxChildDepth >= 1)) {
    throw new ArgumentError(
      `createEngine: "maxChildDepth" must be a whole number ≥ 1 (how deep child runs nest); got ${describe(maxChildDepth)}.`,
      { value: maxChildDepth },
    )
  }
}

/** `fork`'s options, checked before anything is read or written. */
export function checkForkOptions(options: unknown): asserts options is ForkOptions {
  checkOptions('fork', options, FORK_OPTIONS)
  const { input, runId } = options as ForkOptions
  if (runId !== undefined) checkId('fork: "runId"', runId)
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new ArgumentError(
      `fork: "input" must be an object of the definition's params; got ${describe(input)}. Leave it out to keep the source run's input.`,
      { value: input },
    )
  }
}

/** `machines`: XState machines by name (anything else would fail only when a task starts it). */
function checkMachines(machines: unknown): void {
  if (machines === undefined) return
  const isMachine = (value: unknown) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getInitialSnapshot?: unknown }).getInitialSnapshot === 'function' &&
    typeof (value as { transition?: unknown }).transition === 'function'
  const wrong =
    typeof machines !== 'object' || machines === null || Array.isArray(machines)
      ? undefined
      : Object.keys(machines).find((name) => !isMachine((machines as Record<string, unknown>)[name]))
  if (typeof machines === 'object' && machines !== null && !Array.isArray(machines) && wrong === undefined)
    return
  throw new ArgumentError(
    wrong === undefined
      ? `createEngine: "machines" must be an object of XState machines by name; got ${describe(machines)}.`
      : `createEngine: machines["${wrong}"] must be an XState machine (createMachine or setup().createMachine); got ${describe((machines as Record<string, unknown>)[wrong])}.`,
    { value: machines },
  )
}

/** `start`'s options, checked before anything is read or written. */
export function checkStartOptions(options: unknown): asserts options is StartOptions {
  checkOptions('start', options, START_OPTIONS)
  const { version, runId, principal, timeoutMs } = options as StartOptions
  if (version !== undefined) checkId('start: "version"', version)
  if (runId !== undefined) checkId('runId', runId)
  if (principal !== undefined) checkId('start: "principal"', principal)
  if (timeoutMs !== undefined) checkTimeout('start', timeoutMs, 1)
  const { parent } = options as StartOptions
  if (parent !== undefined) {
    if (typeof parent !== 'object' || parent === null) {
      throw new ArgumentError(
        `start: "parent" must be { runId, taskId }, the run and task that start this run; got ${describe(parent)}.`,
        { value: parent },
      )
    }
    checkId('start: "parent.runId"', parent.runId)
    checkId('start: "parent.taskId"', parent.taskId)
  }
}

/** `wait`'s options. */
export function checkWaitOptions(options: unknown): asserts options is WaitOptions {
  checkOptions('wait', options, WAIT_OPTIONS)
  const { timeoutMs } = options as WaitOptions
  if (timeoutMs !== undefined) checkTimeout('wait', timeoutMs, 0)
}

function checkTimeout(call: string, value: unknown, min: number): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return
  throw new ArgumentError(`${call}: "timeoutMs" must be a number of ms ≥ ${min}; got ${describe(value)}.`, {
    value,
  })
}

/** Runs per `listRuns` page when the filter sets no `limit`. */
export const DEFAULT_PAGE_SIZE = 100

/**
 * The store query of a `listRuns` filter, checked: one status or several, the page size
 * (default `DEFAULT_PAGE_SIZE`) and the position the cursor stands for.
 */
export function runQuery(filter: RunFilter): RunQuery & { limit: number } {
  checkOptions('listRuns', filter, RUN_FILTER_FIELDS)
  const statuses = typeof filter.status === 'string' ? [filter.status] : filter.status
  if (statuses !== undefined && !Array.isArray(statuses)) {
    throw new ArgumentError(
      `listRuns: "status" must be a run status or an array of them; got ${describe(statuses)}.`,
      { value: statuses },
    )
  }
  for (const status of statuses ?? []) {
    if (!RUN_STATUSES.includes(status)) {
      throw new ArgumentError(
        `listRuns: unknown status ${JSON.stringify(status)}; use one of ${RUN_STATUSES.join(', ')}.`,
        { value: status },
      )
    }
  }
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE
  if (!(Number.isInteger(limit) && limit > 0)) {
    throw new ArgumentError(`listRuns: "limit" must be a whole number ≥ 1; got ${describe(limit)}.`, {
      value: limit,
    })
  }
  if (filter.definitionId !== undefined) checkId('listRuns: "definitionId"', filter.definitionId)
  if (filter.parentRunId !== undefined) checkId('listRuns: "parentRunId"', filter.parentRunId)
  for (const field of ['createdAfter', 'createdBefore'] as const) {
    const time = filter[field]
    if (time !== undefined && !Number.isFinite(time)) {
      throw new ArgumentError(
        `listRuns: "${field}" must be a time in ms since the epoch; got ${describe(time)}.`,
        {
          value: time,
        },
      )
    }
  }
  return {
    ...(statuses !== undefined && { status: statuses }),
    ...(filter.definitionId !== undefined && { definitionId: filter.definitionId }),
    ...(filter.parentRunId !== undefined && { parentRunId: filter.parentRunId }),
    ...(filter.createdAfter !== undefined && { createdAfter: filter.createdAfter }),
    ...(filter.createdBefore !== undefined && { createdBefore: filter.createdBefore }),
    ...(filter.cursor !== undefined && { after: decodeRunCursor(filter.cursor) }),
    limit,
  }
}

/**
 * A short description of a bad value for an error message. Never throws: a bad value may be a
 * bigint or a cyclic object, which `JSON.stringify` refuses.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  if (typeof value === 'bigint') return `${value}n`
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
