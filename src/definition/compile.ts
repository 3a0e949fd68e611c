import { deepFreeze } from '../boundary'
import { DefinitionError } from '../errors'
import type {
  CacheSpec,
  CompiledExpression,
  CompiledTask,
  CompiledWorkflow,
  OnError,
  ResolvedRetry,
  RetryPolicy,
  TaskDefinition,
  WorkflowDefinition,
} from '../types'
import { checkSemantics } from './validate'
import type { CompiledParts } from './validate-expressions'

/** Retry when neither the task, the definition nor the engine says otherwise: one attempt. */
export const BUILT_IN_RETRY: Readonly<ResolvedRetry> = Object.freeze({
  maxAttempts: 1,
  initialDelayMs: 1000,
  backoff: 2,
  maxDelayMs: 60_000,
  jitter: 0,
})
/** Tasks in flight at once in one run, when the definition does not say. */
export const DEFAULT_RUN_CONCURRENCY = 16
/** Items of a `forEach` task in flight at once, when the task does not say. */
export const DEFAULT_ITEM_CONCURRENCY = 4

export type EngineDefaults = { timeoutMs?: number; retry?: RetryPolicy; onError?: OnError }

const compiledByDefinition = new WeakMap<WorkflowDefinition, Map<string, CompiledWorkflow>>()
const partsByDefinition = new WeakMap<WorkflowDefinition, CompiledParts>()

/** Keeps what validation compiled for `def`, so `compileWorkflow(def)` does not compile it again. */
export function rememberCompiledParts(def: WorkflowDefinition, parts: CompiledParts): void {
  partsByDefinition.set(def, parts)
}

/**
 * Turns a validated definition into what the run machine executes: the dependency graph both
 * ways, a topological order, roots and leaves, compiled expressions, and per task the retry
 * policy, timeout and onError resolved along task → definition defaults → engine defaults →
 * built-in defaults (field by field for retry). Pure and O(tasks + dependencies); the result
 * is cached per definition object and engine defaults, so expressions are compiled and checked
 * once per definition version. Do not mutate a definition after compiling it.
 *
 * @throws DefinitionError when the definition did not come through `loadDefinition` and is invalid.
 * @example
 * const loaded = loadDefinition(json, { actions: new Set(['http', 'noop']) })
 * if (loaded.ok) {
 *   const workflow = compileWorkflow(loaded.definition, { timeoutMs: 30_000 })
 *   workflow.order // ['fetch', 'check', …]
 * }
 */
export function compileWorkflow(def: WorkflowDefinition, defaults?: EngineDefaults): CompiledWorkflow {
  const key = defaults === undefined ? '' : JSON.stringify(defaults)
  let byDefaults = compiledByDefinition.get(def)
  const hit = byDefaults?.get(key)
  if (hit) return hit
  // Runs share the definition (static params, `runSnapshot().definition`): nothing may change it.
  const compiled = build(deepFreeze(def), partsOf(def), defaults)
  if (!byDefaults) {
    byDefaults = new Map()
    compiledByDefinition.set(def, byDefaults)
  }
  byDefaults.set(key, compiled)
  return compiled
}

function partsOf(def: WorkflowDefinition): CompiledParts {
  const remembered = partsByDefinition.get(def)
  if (remembered) return remembered
  const actions = new Set<string>()
  for (const task of Object.values(def.tasks)) {
    actions.add(task.action)
    if (task.compensate) actions.add(task.compensate.action)
  }
  const checked = checkSemantics(def, actions)
  if (!checked.parts) throw new DefinitionError(checked.issues, { value: def.id })
  partsByDefinition.set(def, checked.parts)
  return checked.parts
}

function build(
  def: WorkflowDefinition,
  parts: CompiledParts,
  defaults: EngineDefaults | undefined,
): CompiledWorkflow {
  const { graph } = parts
  const tasks = new Map<string, CompiledTask>()
  graph.ids.forEach((id, i) => {
    const task = def.tasks[id]!
    const expressions = parts.tasks.get(id) ?? {}
    const refs = new Set<string>([
      ...(expressions.when?.taskRefs ?? []),
      ...(expressions.forEach?.taskRefs ?? []),
      ...(expressions.params && !expressions.params.static ? expressions.params.taskRefs : []),
      ...(expressions.cacheKey?.taskRefs ?? []),
    ])
    const timeoutMs = task.timeoutMs ?? def.defaults?.timeoutMs ?? defaults?.timeoutMs
    const compiled: CompiledTask = {
      id,
      action: task.action,
      ...(task.name === undefined ? {} : { name: task.name }),
      dependsOn: Object.freeze(graph.deps[i]!.map((d) => graph.ids[d]!)),
      children: Object.freeze(graph.children[i]!.map((c) => graph.ids[c]!)),
      ...(expressions.when ? { when: expressions.when } : {}),
      ...(expressions.forEach ? { forEach: expressions.forEach } : {}),
      ...(expressions.params ? { params: expressions.params } : {}),
      concurrency: task.concurrency ?? DEFAULT_ITEM_CONCURRENCY,
      retry: resolveRetry(task, def, defaults),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onError: task.onError ?? def.defaults?.onError ?? defaults?.onError ?? 'fail',
      trigger: task.trigger ?? 'all-success',
      ...(task.compensate
        ? { compensate: compensation(task.compensate.action, expressions.compensateParams) }
        : {}),
      ...(task.expectedDurationMs === undefined ? {} : { expectedDurationMs: task.expectedDurationMs }),
      ...(task.cache ? { cache: cacheOf(task.cache, expressions.cacheKey) } : {}),
      taskRefs: Object.freeze([...refs]),
    }
    tasks.set(id, Object.freeze(compiled))
  })
  return Object.freeze({
    definition: def,
    key: `${def.id}@${def.version}`,
    tasks,
    order: Object.freeze(parts.order.map((i) => graph.ids[i]!)),
    roots: Object.freeze(graph.ids.filter((_, i) => graph.deps[i]!.length === 0)),
    leaves: Object.freeze(graph.ids.filter((_, i) => graph.children[i]!.length === 0)),
    concurrency: def.concurrency ?? DEFAULT_RUN_CONCURRENCY,
    ...(def.expectedDurationMs === undefined ? {} : { expectedDurationMs: def.expectedDurationMs }),
    ...(def.timeoutMs === undefined ? {} : { timeoutMs: def.timeoutMs }),
    ...(parts.output ? { output: parts.output } : {}),
  })
}

function compensation(
  action: string,
  params: CompiledTask['params'],
): NonNullable<CompiledTask['compensate']> {
  return Object.freeze(params ? { action, params } : { action })
}

/**
 * Field by field: the task's retry, then the definition's defaults, the engine's defaults,
 * the built-in defaults. A `maxDelayMs` below the resolved `initialDelayMs` is raised to it,
 * so a task that asks for a long first delay gets it even under a shorter inherited cap.
 */
function resolveRetry(
  task: TaskDefinition,
  def: WorkflowDefinition,
  defaults: EngineDefaults | undefined,
): ResolvedRetry {
  const layers = [task.retry, def.defaults?.retry, defaults?.retry]
  const pick = <K extends keyof ResolvedRetry>(key: K): number => {
    for (const layer of layers) {
      const value = layer?.[key]
      if (value !== undefined) return value
    }
    return BUILT_IN_RETRY[key]
  }
  const initialDelayMs = pick('initialDelayMs')
  return Object.freeze({
    maxAttempts: pick('maxAttempts'),
    initialDelayMs,
    backoff: pick('backoff'),
    maxDelayMs: Math.max(pick('maxDelayMs'), initialDelayMs),
    jitter: pick('jitter'),
  })
}

function cacheOf(spec: CacheSpec, key: CompiledExpression | undefined): CompiledTask['cache'] {
  return Object.freeze({ ttlMs: spec.ttlMs, scope: spec.scope ?? 'global', ...(key ? { key } : {}) })
}
