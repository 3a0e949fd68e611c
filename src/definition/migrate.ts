import type { ValidationIssue } from '../errors'
import { workflowIdFrom } from './ids'
import { issueAt, show } from './issue-path'
import { migrateSteps } from './migrate-steps'
import { migrateTaskMap } from './migrate-task-map'
import { SEMVER } from './semver'

/** The schema version definitions are written in today. */
export const CURRENT_SCHEMA_VERSION = '2.0'

export type MigrationResult =
  | { ok: true; definition: Record<string, unknown>; migratedFrom?: string }
  | { ok: false; issues: ValidationIssue[] }

/** Task fields that mark the 1.0 task-map form (agent tasks keyed by name). */
const TASK_MAP_MARKERS = [
  'agent_id',
  'execution_mode',
  'conditions',
  'retry_count',
  'timeout_seconds',
  'depends_on',
  'dependencies',
]

/**
 * Brings a parsed definition to schema 2.0. Two older shapes are read, both schema "1.0":
 * the linear form (`steps: [{ type, name, config, parallel_group }]`) and the task-map form
 * (`tasks: { key: { agent_id, action: "agent_task", conditions, retry_count, timeout_seconds } }`).
 * A 2.0-shaped definition without `schemaVersion` is taken as 2.0. The result is not validated.
 *
 * @example
 * const result = migrateDefinition({ name: 'Import', steps: [{ type: 'http', name: 'Fetch' }] })
 * // result.definition: { schemaVersion: '2.0', id: 'import', version: '1.0.0', name: 'Import',
 * //                      tasks: { fetch: { action: 'http', name: 'Fetch' } } }, migratedFrom: '1.0'
 */
export function migrateDefinition(doc: Record<string, unknown>): MigrationResult {
  const version = doc.schemaVersion
  if (version === CURRENT_SCHEMA_VERSION) return { ok: true, definition: doc }
  const isOld = version === undefined || version === '1.0' || version === '1' || version === 1
  if (!isOld) {
    return {
      ok: false,
      issues: [
        issueAt(
          ['schemaVersion'],
          'unknown_schema_version',
          `Unknown schemaVersion ${show(version)}: this engine reads "2.0" and migrates "1.0". Write the definition in schema "2.0".`,
        ),
      ],
    }
  }
  if (Array.isArray(doc.steps)) return finish(migrateSteps(doc), doc)
  if (isTaskMapForm(doc, version !== undefined)) return finish(migrateTaskMap(doc), doc)
  if (version === undefined)
    return { ok: true, definition: { schemaVersion: CURRENT_SCHEMA_VERSION, ...doc } }
  return {
    ok: false,
    issues: [
      issueAt(
        ['steps'],
        'required',
        'A schema "1.0" definition lists its steps in "steps" (an array) or its tasks in "tasks" (an object).',
      ),
    ],
  }
}

function isTaskMapForm(doc: Record<string, unknown>, declaredOld: boolean): boolean {
  const tasks = doc.tasks
  if (typeof tasks !== 'object' || tasks === null || Array.isArray(tasks)) return false
  if (declaredOld || doc.execution_mode !== undefined) return true
  return Object.values(tasks).some(
    (task) =>
      typeof task === 'object' &&
      task !== null &&
      (TASK_MAP_MARKERS.some((key) => key in task) || (task as { action?: unknown }).action === 'agent_task'),
  )
}

/** Adds `schemaVersion`, `id` and `version` to a migrated body, keeping the other top-level fields. */
function finish(
  body: { tasks: Record<string, unknown>; issues: ValidationIssue[]; consumed: readonly string[] },
  doc: Record<string, unknown>,
): MigrationResult {
  const issues = [...body.issues]
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(doc)) {
    if (key !== 'schemaVersion' && !body.consumed.includes(key)) rest[key] = value
  }
  let id = doc.id
  if (id === undefined) {
    id = typeof doc.name === 'string' ? workflowIdFrom(doc.name) : ''
    if (id === '') {
      issues.push(
        issueAt(
          ['name'],
          'required',
          'Give the workflow a "name" (or an "id") so it can be migrated to 2.0.',
        ),
      )
    }
  }
  if (issues.length > 0) return { ok: false, issues }
  const version = doc.version === undefined ? '1.0.0' : semverFrom(doc.version)
  keepDependencyRule(body.tasks)
  return {
    ok: true,
    migratedFrom: '1.0',
    definition: { schemaVersion: CURRENT_SCHEMA_VERSION, ...rest, id, version, tasks: body.tasks },
  }
}

/**
 * A 1.0 task ran once each of its dependencies ended, skipped ones included; 2.0's default rule
 * (`all-success`) would skip it after a skipped dependency, so migrated tasks say `all-done`.
 */
function keepDependencyRule(tasks: Record<string, unknown>): void {
  for (const task of Object.values(tasks)) {
    if (typeof task !== 'object' || task === null) continue
    const { dependsOn, trigger } = task as { dependsOn?: unknown; trigger?: unknown }
    if (Array.isArray(dependsOn) && dependsOn.length > 0 && trigger === undefined)
      (task as { trigger?: string }).trigger = 'all-done'
  }
}

/** Old definitions often carry versions like `2` or `"1.1"`; complete them to semver. */
function semverFrom(version: unknown): unknown {
  const text = typeof version === 'number' && Number.isFinite(version) ? String(version) : version
  if (typeof text !== 'string' || SEMVER.test(text)) return text
  if (/^\d+$/.test(text)) return `${text}.0.0`
  if (/^\d+\.\d+$/.test(text)) return `${text}.0`
  return text
}
