import type { ValidationIssue } from '../errors'
import type { ParamType, RetryPolicy, TaskDefinition, WorkflowDefinition } from '../types'
import { buildGraph, findCycles, topologicalOrder, UpstreamIndex } from './graph'
import { TASK_ID, WORKFLOW_ID } from './ids'
import { issueAt, listNames, type PathSegment, show } from './issue-path'
import { article, inEnum, matchesParamType, PARAM_TYPES } from './params'
import { SEMVER } from './semver'
import { type CompiledParts, checkExpressions } from './validate-expressions'

/**
 * The checks on meaning, after the schema: ids and version, known actions, dependencies and
 * cycles, retry bounds, parameter specs, and every expression with the tasks it reads. Parts
 * that the schema already refused (a number where a string belongs) are skipped, so each
 * problem is reported once. Returns the compiled expressions when there is no problem.
 */
export function checkSemantics(
  def: WorkflowDefinition,
  actions: ReadonlySet<string>,
): { issues: ValidationIssue[]; parts?: CompiledParts } {
  const issues: ValidationIssue[] = []
  checkIdentity(def, issues)
  checkRetry(def.defaults?.retry, ['defaults', 'retry'], issues)
  checkParamSpecs(def.params, issues)

  const tasks = isRecord(def.tasks) ? def.tasks : {}
  if (isRecord(def.tasks) && Object.keys(tasks).length === 0) {
    issues.push(issueAt(['tasks'], 'no_tasks', 'A workflow needs at least one task; add one to "tasks".'))
  }
  const known = [...actions].sort()
  for (const [id, task] of Object.entries(tasks)) {
    if (!TASK_ID.test(id)) {
      issues.push(
        issueAt(
          ['tasks', id],
          'invalid_id',
          `Task id ${show(id)} must start with a letter or _ and hold only letters, digits, _ and - (no dots, so tasks.<id> works in expressions).`,
        ),
      )
    }
    if (!isRecord(task)) continue
    checkAction(task.action, ['tasks', id, 'action'], actions, known, issues)
    if (isRecord(task.compensate))
      checkAction(task.compensate.action, ['tasks', id, 'compensate', 'action'], actions, known, issues)
    checkRetry(task.retry, ['tasks', id, 'retry'], issues)
  }

  const { graph, issues: dependencyIssues } = buildGraph(tasks as Record<string, TaskDefinition>)
  issues.push(...dependencyIssues, ...findCycles(graph))
  const order = topologicalOrder(graph)
  const parts = checkExpressions(def, graph, new UpstreamIndex(graph, order), issues)
  return issues.length > 0 || order === undefined ? { issues } : { issues, parts: { ...parts, graph, order } }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkIdentity(def: WorkflowDefinition, issues: ValidationIssue[]): void {
  if (typeof def.id === 'string' && !WORKFLOW_ID.test(def.id)) {
    issues.push(
      issueAt(
        ['id'],
        'invalid_id',
        `Workflow id ${show(def.id)} must start with a lowercase letter or digit and hold only a-z, 0-9, ".", "_" and "-" (for example "order-pipeline").`,
      ),
    )
  }
  if (typeof def.version === 'string' && !SEMVER.test(def.version)) {
    issues.push(
      issueAt(
        ['version'],
        'invalid_version',
        `version ${show(def.version)} is not a semantic version; write MAJOR.MINOR.PATCH, like "1.2.0".`,
      ),
    )
  }
}

function checkAction(
  action: unknown,
  at: PathSegment[],
  actions: ReadonlySet<string>,
  known: readonly string[],
  issues: ValidationIssue[],
): void {
  if (typeof action !== 'string' || action === '' || actions.has(action)) return
  const list = known.length > 0 && known.length <= 30 ? ` Known actions: ${known.join(', ')}.` : ''
  issues.push(
    issueAt(
      at,
      'unknown_action',
      `Unknown action ${show(action)}. Register it with createEngine({ actions: { ${JSON.stringify(action)}: handler } }) or use a known one.${list}`,
    ),
  )
}

function checkRetry(retry: RetryPolicy | undefined, at: PathSegment[], issues: ValidationIssue[]): void {
  if (!isRecord(retry)) return
  const { initialDelayMs, maxDelayMs } = retry
  if (typeof initialDelayMs === 'number' && typeof maxDelayMs === 'number' && maxDelayMs < initialDelayMs) {
    issues.push(
      issueAt(
        [...at, 'maxDelayMs'],
        'out_of_range',
        `retry.maxDelayMs (${maxDelayMs}) is below retry.initialDelayMs (${initialDelayMs}); make it at least ${initialDelayMs}.`,
      ),
    )
  }
}

function checkParamSpecs(params: WorkflowDefinition['params'], issues: ValidationIssue[]): void {
  if (!isRecord(params)) return
  for (const [name, spec] of Object.entries(params)) {
    if (!isRecord(spec) || typeof spec.type !== 'string') continue
    if (!PARAM_TYPES.includes(spec.type as ParamType)) {
      issues.push(
        issueAt(
          ['params', name, 'type'],
          'unknown_param_type',
          `Unknown parameter type ${show(spec.type)}; use one of ${listNames(PARAM_TYPES)}.`,
        ),
      )
      continue
    }
    if (spec.default === undefined) continue
    const type = spec.type as ParamType
    if (!matchesParamType(type, spec.default)) {
      issues.push(
        issueAt(
          ['params', name, 'default'],
          'invalid_default',
          `The default ${show(spec.default)} is not ${article(type)}, the type of "${name}"; change the default or the type.`,
        ),
      )
    } else if (Array.isArray(spec.enum) && !inEnum(spec.enum, spec.default)) {
      issues.push(
        issueAt(
          ['params', name, 'default'],
          'invalid_default',
          `The default ${show(spec.default)} is not one of the allowed values (enum) of "${name}".`,
        ),
      )
    }
  }
}
