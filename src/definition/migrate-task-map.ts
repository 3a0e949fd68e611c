import type { ValidationIssue } from '../errors'
import { IdAllocator, TASK_ID, taskIdFrom } from './ids'
import { issueAt, type PathSegment, show } from './issue-path'
import { OLD_RETRY_FIELDS, oldRetry, WORKFLOW_RETRY_FIELDS } from './migrate-retry'
import type { MigratedTasks } from './migrate-steps'
import type { SourcePaths } from './source-paths'

const DEPENDENCY_FIELDS = ['dependsOn', 'depends_on', 'dependencies'] as const
const PARAM_FIELDS = ['config', 'parameters', 'params'] as const
const MODES = ['parallel', 'sequential', 'conditional']

/** One task as written: its key (map form) or `id` (list form), and where it was written. */
interface Written {
  key: string
  value: unknown
  at: PathSegment[]
}

/**
 * Migrates the older task forms: tasks as a map keyed by id, or as a list of objects with `id`
 * (agent task maps; Python `Task` dicts with `handler` and `retry_policy`):
 *
 * | older | 2.0 |
 * |---|---|
 * | task key, or `id` in a list | task id (kept when valid, otherwise slugified; the key becomes `name`) |
 * | `handler` | `action` |
 * | `action` (`"agent_task"` when absent and `agent_id` is set) | `action`, unchanged: register an `agent_task` action |
 * | `agent_id` | `params.agent` |
 * | `config`, `parameters` and `params` | `params` (merged, in that order: `params` wins on a clash) |
 * | `depends_on` / `dependencies` | `dependsOn` (keys renamed with their tasks) |
 * | `conditions`: a CEL string, or a list of them | `when` (a list is joined with `&&`) |
 * | `retry_count`, `retry_delay`, `retry_policy`, `timeout_seconds`, `timeout` | `retry`, `timeoutMs` (see `oldRetry`) |
 * | `execution_mode: "sequential"` (top level, or on the task) | the task also depends on the one before it |
 * | `execution_mode: "parallel"` or `"conditional"` (the default) | only the listed dependencies order the tasks |
 *
 * Other task fields are kept, so 2.0 fields carry over and unknown ones are reported by validation.
 */
export function migrateTaskMap(doc: Record<string, unknown>, sources: SourcePaths): MigratedTasks {
  const issues: ValidationIssue[] = []
  const topMode = doc.execution_mode ?? 'parallel'
  if (!MODES.includes(topMode as string)) {
    issues.push(
      issueAt(
        ['execution_mode'],
        'invalid_value',
        `execution_mode is "parallel" or "sequential"; received ${show(topMode)}.`,
      ),
    )
  }
  const written = writtenTasks(doc.tasks, issues)
  const idOf = allocateIds(written.map((task) => task.key))
  const tasks: Record<string, unknown> = {}
  let previous: string | undefined
  for (const { key, value, at } of written) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push(
        issueAt(
          at,
          'invalid_type',
          `A task is an object like { "agent_id": "writer" }; received ${show(value)}.`,
        ),
      )
      continue
    }
    const id = idOf.get(key)!
    sources.set(['tasks', id], at)
    const old = value as Record<string, unknown>
    const task = migrateTask(old, at, ['tasks', id], idOf, issues, sources)
    if (id !== key && task.name === undefined) task.name = key
    const mode = old.execution_mode ?? topMode
    if (old.execution_mode !== undefined && !MODES.includes(mode as string)) {
      issues.push(
        issueAt(
          [...at, 'execution_mode'],
          'invalid_value',
          `execution_mode is "parallel" or "sequential"; received ${show(mode)}.`,
        ),
      )
    }
    if (mode === 'sequential' && previous !== undefined) {
      const deps = Array.isArray(task.dependsOn) ? task.dependsOn : []
      task.dependsOn = deps.includes(previous) ? deps : [previous, ...deps]
    }
    tasks[id] = task
    previous = id
  }
  return { tasks, issues, consumed: ['tasks', 'execution_mode', 'required_state', ...WORKFLOW_RETRY_FIELDS] }
}

function writtenTasks(source: unknown, issues: ValidationIssue[]): Written[] {
  if (!Array.isArray(source)) {
    return Object.entries(source as Record<string, unknown>).map(([key, value]) => ({
      key,
      value,
      at: ['tasks', key],
    }))
  }
  const written: Written[] = []
  source.forEach((value, index) => {
    const at: PathSegment[] = ['tasks', index]
    const { id, name } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
    const key =
      typeof id === 'string' && id !== '' ? id : typeof name === 'string' && name !== '' ? name : undefined
    if (key === undefined) {
      issues.push(
        issueAt(
          [...at, 'id'],
          'required',
          `A task in a list needs an "id" (or a "name") to be depended on; received ${show(value)}.`,
        ),
      )
      return
    }
    written.push({ key, value, at })
  })
  return written
}

/** Valid keys keep their name; the others get a slug that does not clash with any kept key. */
function allocateIds(keys: string[]): Map<string, string> {
  const ids = new IdAllocator()
  const idOf = new Map<string, string>()
  for (const key of keys) if (TASK_ID.test(key) && !idOf.has(key)) idOf.set(key, ids.take(key))
  for (const key of keys) if (!idOf.has(key)) idOf.set(key, ids.take(taskIdFrom(key)))
  return idOf
}

function migrateTask(
  old: Record<string, unknown>,
  at: PathSegment[],
  target: PathSegment[],
  idOf: Map<string, string>,
  issues: ValidationIssue[],
  sources: SourcePaths,
): Record<string, unknown> {
  const { agent_id: agent, handler, conditions, id: _id, execution_mode: _mode, ...rest } = old
  for (const field of [...PARAM_FIELDS, ...DEPENDENCY_FIELDS, ...OLD_RETRY_FIELDS]) delete rest[field]
  const task: Record<string, unknown> = { ...rest }
  if (handler !== undefined) {
    if (task.action !== undefined) {
      issues.push(
        issueAt(
          [...at, 'handler'],
          'invalid_value',
          `A task names its action once: "handler" ${show(handler)} or "action" ${show(task.action)}; remove one.`,
        ),
      )
    } else task.action = handler
    sources.set([...target, 'action'], [...at, 'handler'])
  }
  if (task.action === undefined && agent !== undefined) task.action = 'agent_task'

  const merged: Record<string, unknown> = {}
  for (const field of PARAM_FIELDS) {
    if (old[field] === undefined) continue
    Object.assign(merged, asObject(old[field], [...at, field], issues))
    if (field !== 'params') sources.set([...target, 'params'], [...at, field])
  }
  if (agent !== undefined) {
    if (typeof agent === 'string') merged.agent = agent
    else
      issues.push(
        issueAt([...at, 'agent_id'], 'invalid_type', `agent_id is a string; received ${show(agent)}.`),
      )
  }
  if (Object.keys(merged).length > 0) task.params = merged

  const deps: string[] = []
  for (const field of DEPENDENCY_FIELDS) {
    if (old[field] === undefined) continue
    deps.push(...dependencies(old[field], [...at, field], idOf, issues))
    if (field !== 'dependsOn') sources.set([...target, 'dependsOn'], [...at, field])
  }
  if (deps.length > 0) task.dependsOn = [...new Set(deps)]

  if (conditions !== undefined) {
    const when = conditionFrom(conditions)
    if (when === undefined) {
      issues.push(
        issueAt(
          [...at, 'conditions'],
          'cannot_migrate',
          `conditions must be a CEL string (or a list of CEL strings) to migrate; rewrite ${show(conditions)} as a "when" expression.`,
        ),
      )
    } else if (when !== '') task.when = when
    sources.set([...target, 'when'], [...at, 'conditions'])
  }
  const { retry, timeoutMs } = oldRetry(old, at, target, issues, sources)
  if (retry !== undefined) task.retry = { ...(task.retry as object), ...retry }
  if (timeoutMs !== undefined) task.timeoutMs = timeoutMs
  return task
}

function asObject(value: unknown, at: PathSegment[], issues: ValidationIssue[]): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>
  issues.push(issueAt(at, 'invalid_type', `Expected an object of parameters; received ${show(value)}.`))
  return {}
}

function dependencies(
  value: unknown,
  at: PathSegment[],
  idOf: Map<string, string>,
  issues: ValidationIssue[],
): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.some((d) => typeof d !== 'string')) {
    issues.push(issueAt(at, 'invalid_type', `Dependencies are a list of task keys; received ${show(value)}.`))
    return []
  }
  return list.map((key: string) => idOf.get(key) ?? key)
}

function conditionFrom(conditions: unknown): string | undefined {
  if (typeof conditions === 'string') return conditions.trim()
  if (!Array.isArray(conditions) || conditions.some((c) => typeof c !== 'string')) return undefined
  const parts = (conditions as string[]).map((c) => c.trim()).filter((c) => c !== '')
  return parts.length === 1 ? parts[0] : parts.map((c) => `(${c})`).join(' && ')
}
