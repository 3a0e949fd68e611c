import type { ValidationIssue } from '../errors'
import { IdAllocator, taskIdFrom } from './ids'
import { issueAt, show } from './issue-path'

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
 * Migrates the 1.0 linear form. Steps run in order; consecutive steps with the same
 * `parallel_group` form one stage that runs side by side. Every task of a stage depends on
 * every task of the stage before it. `type` becomes `action`, `config` becomes `params`, the
 * step `name` becomes both the task id (slugified, made unique) and its `name`. Other step
 * fields are kept as task fields, so 2.0 fields such as `when` or `retry` carry over.
 */
export function migrateSteps(doc: Record<string, unknown>): MigratedTasks {
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

  steps.forEach((step, index) => {
    const at = ['steps', index]
    if (typeof step !== 'object' || step === null || Array.isArray(step)) {
      issues.push(
        issueAt(
          at,
          'invalid_type',
          `A step is an object like { "type": "http", "name": "Fetch" }; received ${show(step)}.`,
        ),
      )
      return
    }
    const { type, name, config, parallel_group: group, id, ...rest } = step as Record<string, unknown>
    if (typeof type !== 'string' || type === '') {
      issues.push(
        issueAt(
          [...at, 'type'],
          type === undefined ? 'required' : 'invalid_type',
          'Each step needs a "type": the name of the action it runs.',
        ),
      )
      return
    }
    if (name !== undefined && typeof name !== 'string') {
      issues.push(
        issueAt([...at, 'name'], 'invalid_type', `A step "name" is a string; received ${show(name)}.`),
      )
      return
    }
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
      issues.push(
        issueAt(
          [...at, 'config'],
          'invalid_type',
          `A step "config" is an object of parameters; received ${show(config)}.`,
        ),
      )
      return
    }
    if (group !== undefined && group !== null && typeof group !== 'string' && typeof group !== 'number') {
      issues.push(
        issueAt(
          [...at, 'parallel_group'],
          'invalid_type',
          `"parallel_group" is a string or number naming the group; received ${show(group)}.`,
        ),
      )
      return
    }
    const taskId = ids.take(taskIdFrom(typeof id === 'string' ? id : (name ?? type)))
    const task: Record<string, unknown> = { action: type, ...(name === undefined ? {} : { name }) }
    if (config !== undefined) task.params = config
    Object.assign(task, rest)
    tasks[taskId] = task

    const stageGroup = group ?? undefined
    const last = stages.at(-1)
    if (last !== undefined && stageGroup !== undefined && last.group === stageGroup) last.ids.push(taskId)
    else stages.push({ group: stageGroup, ids: [taskId] })
  })

  for (let i = 1; i < stages.length; i++) {
    const previous = stages[i - 1]!.ids
    for (const taskId of stages[i]!.ids) {
      const task = tasks[taskId] as { dependsOn?: unknown }
      const own = Array.isArray(task.dependsOn)
        ? task.dependsOn.filter((d) => !previous.includes(d as string))
        : []
      task.dependsOn = [...previous, ...own]
    }
  }
  return { tasks, issues, consumed: ['steps', 'tasks'] }
}
