import type { ValidationIssue } from '../errors'
import { IdAllocator, TASK_ID, taskIdFrom } from './ids'
import { issueAt, type PathSegment, show } from './issue-path'
import type { MigratedTasks } from './migrate-steps'

const DEPENDENCY_FIELDS = ['dependsOn', 'depends_on', 'dependencies'] as const

/**
 * Migrates the 1.0 task-map form:
 *
 * | 1.0 | 2.0 |
 * |---|---|
 * | task key | task id (kept when valid, otherwise slugified; the key becomes `name`) |
 * | `action` (`"agent_task"` when absent and `agent_id` is set) | `action`, unchanged: register an `agent_task` action |
 * | `agent_id` | `params.agent` |
 * | `config` and `params` | `params` (`params` wins on a clash) |
 * | `depends_on` / `dependencies` | `dependsOn` (keys renamed with their tasks) |
 * | `conditions`: a CEL string, or a list of them | `when` (a list is joined with `&&`) |
 * | `retry_count: n` | `retry.maxAttempts: n + 1` |
 * | `timeout_seconds: s` | `timeoutMs: s * 1000` |
 * | top-level `execution_mode: "sequential"` | each task also depends on the one before it, in key order |
 * | `execution_mode: "parallel"` (the default) | only the listed dependencies order the tasks |
 *
 * Other task fields are kept, so 2.0 fields carry over and unknown ones are reported by validation.
 */
export function migrateTaskMap(doc: Record<string, unknown>): MigratedTasks {
  const source = doc.tasks as Record<string, unknown>
  const issues: ValidationIssue[] = []
  const mode = doc.execution_mode ?? 'parallel'
  if (mode !== 'parallel' && mode !== 'sequential') {
    issues.push(
      issueAt(
        ['execution_mode'],
        'invalid_value',
        `execution_mode is "parallel" or "sequential"; received ${show(mode)}.`,
      ),
    )
  }

  const idOf = allocateIds(Object.keys(source))
  const tasks: Record<string, unknown> = {}
  let previous: string | undefined
  for (const [key, value] of Object.entries(source)) {
    const at: PathSegment[] = ['tasks', key]
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
    const task = migrateTask(value as Record<string, unknown>, at, idOf, issues)
    if (id !== key && task.name === undefined) task.name = key
    if (mode === 'sequential' && previous !== undefined) {
      const deps = Array.isArray(task.dependsOn) ? task.dependsOn : []
      task.dependsOn = deps.includes(previous) ? deps : [previous, ...deps]
    }
    tasks[id] = task
    previous = id
  }
  return { tasks, issues, consumed: ['tasks', 'execution_mode'] }
}

/** Valid keys keep their name; the others get a slug that does not clash with any kept key. */
function allocateIds(keys: string[]): Map<string, string> {
  const ids = new IdAllocator()
  const idOf = new Map<string, string>()
  for (const key of keys) if (TASK_ID.test(key)) idOf.set(key, ids.take(key))
  for (const key of keys) if (!idOf.has(key)) idOf.set(key, ids.take(taskIdFrom(key)))
  return idOf
}

function migrateTask(
  old: Record<string, unknown>,
  at: PathSegment[],
  idOf: Map<string, string>,
  issues: ValidationIssue[],
): Record<string, unknown> {
  const {
    agent_id: agent,
    config,
    params,
    conditions,
    retry_count: retryCount,
    timeout_seconds: timeoutSeconds,
    dependsOn: _a,
    depends_on: _b,
    dependencies: _c,
    ...rest
  } = old
  const task: Record<string, unknown> = { ...rest }
  if (task.action === undefined && agent !== undefined) task.action = 'agent_task'

  const merged = {
    ...asObject(config, [...at, 'config'], issues),
    ...asObject(params, [...at, 'params'], issues),
  }
  if (agent !== undefined) {
    if (typeof agent === 'string') merged.agent = agent
    else
      issues.push(
        issueAt([...at, 'agent_id'], 'invalid_type', `agent_id is a string; received ${show(agent)}.`),
      )
  }
  if (Object.keys(merged).length > 0) task.params = merged

  const deps = DEPENDENCY_FIELDS.flatMap((field) => dependencies(old[field], [...at, field], idOf, issues))
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
  }
  if (retryCount !== undefined) {
    if (Number.isInteger(retryCount) && (retryCount as number) >= 0) {
      task.retry = { ...(task.retry as object), maxAttempts: (retryCount as number) + 1 }
    } else {
      issues.push(
        issueAt(
          [...at, 'retry_count'],
          'invalid_value',
          `retry_count is a whole number ≥ 0; received ${show(retryCount)}.`,
        ),
      )
    }
  }
  if (timeoutSeconds !== undefined) {
    if (typeof timeoutSeconds === 'number' && timeoutSeconds > 0) task.timeoutMs = timeoutSeconds * 1000
    else
      issues.push(
        issueAt(
          [...at, 'timeout_seconds'],
          'invalid_value',
          `timeout_seconds is a number > 0; received ${show(timeoutSeconds)}.`,
        ),
      )
  }
  return task
}

function asObject(value: unknown, at: PathSegment[], issues: ValidationIssue[]): Record<string, unknown> {
  if (value === undefined) return {}
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
  if (value === undefined) return []
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
