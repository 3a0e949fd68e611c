import type { ValidationIssue } from '../errors'
import { workflowIdFrom } from './ids'
import { issueAt, show } from './issue-path'
import { oldRetry, WORKFLOW_RETRY_FIELDS } from './migrate-retry'
import { migrateSteps } from './migrate-steps'
import { migrateTaskMap } from './migrate-task-map'
import { SEMVER } from './semver'
import { SourcePaths } from './source-paths'

/** The schema version definitions are written in today. */
export const CURRENT_SCHEMA_VERSION = '2.0'

export type MigrationResult =
  | {
      ok: true
      definition: Record<string, unknown>
      migratedFrom?: string
      /** Where the parts of a migrated definition were written, for issue paths. */
      sources?: SourcePaths
      /** Set when the id was made from `name` (the definition had none). */
      idFromName?: string
    }
  | { ok: false; issues: ValidationIssue[] }

/** Task fields that mark the older task forms (agent task maps, Python task dicts). */
const TASK_MAP_MARKERS = [
  'agent_id',
  'execution_mode',
  'conditions',
  'retry_count',
  'retry_delay',
  'retry_policy',
  'timeout_seconds',
  'depends_on',
  'dependencies',
  'handler',
  'parameters',
]

/**
 * Brings a parsed definition to schema 2.0. The older shapes read, all schema "1.0":
 * the linear form (`steps: [{ type, name, config, parallel_group }]`, or steps written as action
 * names with `required_state`), and the task forms (`tasks` as a map or a list with `id`: agent
 * tasks with `agent_id`, `parameters`, `conditions`, `retry_count`, `timeout_seconds`,
 * `execution_mode`; Python task dicts with `handler`, `dependencies`, `retry_policy`, `timeout`).
 * Retry and timeout fields at the top level become `defaults`. A 2.0-shaped definition without
 * `schemaVersion` is taken as 2.0. The result is not validated.
 *
 * @example
 * const result = migrateDefinition({ name: 'Import', steps: [{ type: 'http', name: 'Fetch' }] })
 * // result.definition: { schemaVersion: '2.0', id: 'import', version: '1.0.0', name: 'Import',
 * //                      tasks: { fetch: { action: 'http', name: 'Fetch' } } }, migratedFrom: '1.0'
 */
export function migrateDefinition(
  doc: Record<string, unknown>,
  aliases: ReadonlyMap<string, string> = new Map(),
): MigrationResult {
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
  const sources = new SourcePaths()
  if (Array.isArray(doc.steps)) return finish(migrateSteps(doc, sources), doc, sources, aliases)
  if (isTaskMapForm(doc, version !== undefined))
    return finish(migrateTaskMap(doc, sources), doc, sources, aliases)
  if (version === undefined)
    return { ok: true, definition: { schemaVersion: CURRENT_SCHEMA_VERSION, ...doc } }
  return {
    ok: false,
    issues: [
      issueAt(
        ['steps'],
        'required',
        'A schema "1.0" definition lists its steps in "steps" (an array) or its tasks in "tasks" (an object or a list).',
      ),
    ],
  }
}

function isTaskMapForm(doc: Record<string, unknown>, declaredOld: boolean): boolean {
  const tasks = doc.tasks
  if (Array.isArray(tasks)) return true
  if (typeof tasks !== 'object' || tasks === null) return false
  if (declaredOld || doc.execution_mode !== undefined) return true
  if (WORKFLOW_RETRY_FIELDS.some((field) => doc[field] !== undefined)) return true
  return Object.values(tasks).some(
    (task) =>
      typeof task === 'object' &&
      task !== null &&
      (TASK_MAP_MARKERS.some((key) => key in task) || (task as { action?: unknown }).action === 'agent_task'),
  )
}

/** Adds `schemaVersion`, `id`, `version`, `params` and `defaults` to a migrated body, keeping the other top-level fields. */
function finish(
  body: { tasks: Record<string, unknown>; issues: ValidationIssue[]; consumed: readonly string[] },
  doc: Record<string, unknown>,
  sources: SourcePaths,
  aliases: ReadonlyMap<string, string>,
): MigrationResult {
  const issues = [...body.issues]
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(doc)) {
    if (key !== 'schemaVersion' && !body.consumed.includes(key)) rest[key] = value
  }
  let id = doc.id
  const idFromName = id === undefined && typeof doc.name === 'string' ? doc.name : undefined
  if (id === undefined) {
    id = idFromName === undefined ? '' : workflowIdFrom(idFromName)
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
  const params = requiredState(doc, issues)
  if (params !== undefined) rest.params = { ...(rest.params as object), ...params }
  const { timeout: _perRunOrPerTask, ...workflowRetry } = doc
  const { retry, timeoutMs } = oldRetry(workflowRetry, [], ['defaults'], issues, sources)
  if (retry !== undefined || timeoutMs !== undefined) {
    const defaults = { ...(rest.defaults as object) } as Record<string, unknown>
    if (retry !== undefined) defaults.retry = { ...(defaults.retry as object), ...retry }
    if (timeoutMs !== undefined) defaults.timeoutMs = timeoutMs
    rest.defaults = defaults
  }
  if (issues.length > 0) return { ok: false, issues }
  const version = doc.version === undefined ? '1.0.0' : semverFrom(doc.version)
  keepDependencyRule(body.tasks)
  applyAliases(body.tasks, aliases)
  return {
    ok: true,
    migratedFrom: '1.0',
    sources,
    ...(idFromName === undefined ? {} : { idFromName }),
    definition: { schemaVersion: CURRENT_SCHEMA_VERSION, ...rest, id, version, tasks: body.tasks },
  }
}

/** `required_state: ["equipment_id"]` (a pipeline's required inputs) → required params of any type. */
function requiredState(
  doc: Record<string, unknown>,
  issues: ValidationIssue[],
): Record<string, unknown> | undefined {
  const names = doc.required_state
  if (names === undefined) return undefined
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string' || name === '')) {
    issues.push(
      issueAt(
        ['required_state'],
        'invalid_type',
        `required_state is a list of input names; received ${show(names)}.`,
      ),
    )
    return undefined
  }
  return Object.fromEntries((names as string[]).map((name) => [name, { type: 'any', required: true }]))
}

/** A step type the app maps to its own action (`actionAliases`) runs that action, compensations too. */
function applyAliases(tasks: Record<string, unknown>, aliases: ReadonlyMap<string, string>): void {
  if (aliases.size === 0) return
  for (const task of Object.values(tasks)) {
    if (typeof task !== 'object' || task === null) continue
    const t = task as { action?: unknown; compensate?: { action?: unknown } }
    if (typeof t.action === 'string' && aliases.has(t.action)) t.action = aliases.get(t.action)
    const undo = t.compensate
    if (
      typeof undo === 'object' &&
      undo !== null &&
      typeof undo.action === 'string' &&
      aliases.has(undo.action)
    )
      undo.action = aliases.get(undo.action)
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
