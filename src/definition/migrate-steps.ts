import type { ValidationIssue } from '../errors'
import { IdAllocator, taskIdFrom } from './ids'
import { issueAt, type PathSegment, show } from './issue-path'
import { OLD_RETRY_FIELDS, oldRetry, WORKFLOW_RETRY_FIELDS } from './migrate-retry'
import type { SourcePaths } from './source-paths'

/** What a migration of the task list produces; `consumed` names the top-level fields it replaced. */
export interface MigratedTasks {
  tasks: Record<string, unknown>
  issues: ValidationIssue[]
  consumed: readonly string[]
}

interface Stage {
  group: string | number | undefined
  ids: string[]
}

/**
 * Migrates the linear 1.0 form. Steps run in order; consecutive steps with the same
 * `parallel_group` form one stage that runs side by side. Every task of a stage depends on
 * every task of the stage before it.
 *
 * - A step object: `type` becomes `action`, `config` becomes `params`, the step `id` (or else its
 *   `name`, else its `type`) the task id (slugified, made unique), `name` stays the name; the
 *   older retry fields become `retry` and `timeoutMs` (see `oldRetry`). Other step fields are
 *   kept as task fields, so 2.0 fields such as `when` or `retry` carry over.
 * - A step written as a plain name (`steps: ["validate_inputs", "execute_process"]`, a pipeline
 *   of functions) runs the action of that name with the params `{ previous, state }`: the output
 *   of the step before it (absent for the first) and the run's input.
 */
export function migrateSteps(doc: Record<string, unknown>, sources: SourcePaths): MigratedTasks {
  const steps = doc.steps as unknown[]
  const issues: ValidationIssue[] = []
  const tasks: Record<string, unknown> = {}
  const ids = new IdAllocator()
  const stages: Stage[] = []
  if (doc.tasks !== undefined) {
    issues.push(
      issueAt(
        ['tasks'],
        'invalid_value',
        'A definition has either "steps" (schema 1.0) or "tasks" (2.0), not both.',
      ),
    )
  }
  let previous: string | undefined
  steps.forEach((step, index) => {
    const at: PathSegment[] = ['steps', index]
    const migrated =
      typeof step === 'string' ? namedStep(step, at, previous, issues) : stepObject(step, at, issues)
    if (migrated === undefined) return
    const taskId = ids.take(taskIdFrom(migrated.id))
    sources.set(['tasks', taskId], at)
    if (migrated.old !== undefined) {
      sources.set(['tasks', taskId, 'action'], [...at, 'type'])
      sources.set(['tasks', taskId, 'params'], [...at, 'config'])
      const { retry, timeoutMs } = oldRetry(migrated.old, at, ['tasks', taskId], issues, sources)
      if (retry !== undefined) migrated.task.retry = { ...(migrated.task.retry as object), ...retry }
      if (timeoutMs !== undefined) migrated.task.timeoutMs = timeoutMs
    }
    tasks[taskId] = migrated.task
    previous = taskId
    const last = stages.at(-1)
    if (last !== undefined && migrated.group !== undefined && last.group === migrated.group)
      last.ids.push(taskId)
    else stages.push({ group: migrated.group, ids: [taskId] })
  })

  for (let i = 1; i < stages.length; i++) {
    const before = stages[i - 1]!.ids
    for (const taskId of stages[i]!.ids) {
      const task = tasks[taskId] as { dependsOn?: unknown }
      const own = Array.isArray(task.dependsOn)
        ? task.dependsOn.filter((d) => !before.includes(d as string))
        : []
      task.dependsOn = [...before, ...own]
    }
  }
  return { tasks, issues, consumed: ['steps', 'tasks', 'required_state', ...WORKFLOW_RETRY_FIELDS] }
}

interface MigratedStep {
  id: string
  task: Record<string, unknown>
  group?: string | number
  /** The step object as written, for its older retry fields. */
  old?: Record<string, unknown>
}

/**
 * The params a step of a pipeline gets, passing each result on: `state`, the run input, and
 * `previous`, the output of the step before it (none for the first). Pipelines of named steps,
 * `pipeline()` of the builder and the pipeline templates all use it.
 */
export function passedOn(previous: string | undefined): Record<string, unknown> {
  return previous === undefined
    ? { state: '${ input }' }
    : { state: '${ input }', previous: `\${ tasks.${previous}.output }` }
}

function namedStep(
  name: string,
  at: PathSegment[],
  previous: string | undefined,
  issues: ValidationIssue[],
): MigratedStep | undefined {
  if (name.trim() === '') {
    issues.push(
      issueAt(at, 'invalid_value', 'A step written as a name names the action it runs; it cannot be empty.'),
    )
    return undefined
  }
  return { id: name, task: { action: name, params: passedOn(previous) } }
}

function stepObject(step: unknown, at: PathSegment[], issues: ValidationIssue[]): MigratedStep | undefined {
  if (typeof step !== 'object' || step === null || Array.isArray(step)) {
    issues.push(
      issueAt(
        at,
        'invalid_type',
        `A step is an object like { "type": "http", "name": "Fetch" } or the name of its action; received ${show(step)}.`,
      ),
    )
    return undefined
  }
  const { type, name, config, parallel_group: group, id, ...rest } = step as Record<string, unknown>
  for (const field of OLD_RETRY_FIELDS) delete rest[field]
  if (typeof type !== 'string' || type === '') {
    issues.push(
      issueAt(
        [...at, 'type'],
        type === undefined ? 'required' : 'invalid_type',
        'Each step needs a "type": the name of the action it runs.',
      ),
    )
    return undefined
  }
  if (name !== undefined && typeof name !== 'string') {
    issues.push(
      issueAt([...at, 'name'], 'invalid_type', `A step "name" is a string; received ${show(name)}.`),
    )
    return undefined
  }
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
    issues.push(
      issueAt(
        [...at, 'config'],
        'invalid_type',
        `A step "config" is an object of parameters; received ${show(config)}.`,
      ),
    )
    return undefined
  }
  if (group !== undefined && group !== null && typeof group !== 'string' && typeof group !== 'number') {
    issues.push(
      issueAt(
        [...at, 'parallel_group'],
        'invalid_type',
        `"parallel_group" is a string or number naming the group; received ${show(group)}.`,
      ),
    )
    return undefined
  }
  const task: Record<string, unknown> = { action: type, ...(name === undefined ? {} : { name }) }
  if (config !== undefined) task.params = config
  Object.assign(task, rest)
  const stepId = typeof id === 'string' && id !== '' ? id : (name ?? type)
  return {
    id: stepId,
    task,
    old: step as Record<string, unknown>,
    ...(group === undefined || group === null ? {} : { group }),
  }
}
