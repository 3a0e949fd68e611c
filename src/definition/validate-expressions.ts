import type { ValidationIssue } from '../errors'
import type { CompiledExpression, CompiledParams, WorkflowDefinition } from '../types'
import { checkExpression } from './expression'
import { explainProblem } from './expression-problem'
import type { TaskGraph, UpstreamIndex } from './graph'
import { issueAt, listNames, type PathSegment } from './issue-path'
import { secretMisplaced, takesSecrets } from './secret-params'
import { analyzeParams } from './template'

/** The expressions of one task, compiled during validation. */
export interface TaskExpressions {
  when?: CompiledExpression
  forEach?: CompiledExpression
  params?: CompiledParams
  compensateParams?: CompiledParams
  cacheKey?: CompiledExpression
}

/** What validation compiled, handed to `compileWorkflow` so nothing is compiled twice. */
export interface CompiledParts {
  tasks: Map<string, TaskExpressions>
  output?: CompiledExpression
  graph: TaskGraph
  order: number[]
}

/** Which tasks an expression may read: those upstream, those upstream or itself, or any. */
type Reach = 'upstream' | 'self-or-upstream' | 'any'

interface Context {
  graph: TaskGraph
  upstream: UpstreamIndex
  issues: ValidationIssue[]
}

/**
 * Compiles every expression of the definition and checks the tasks each one reads: they must
 * exist, and in a task's `when`, `forEach`, `params` and `cache.key` they must be upstream
 * (reachable through `dependsOn`), because only their results exist when the task starts.
 * `compensate.params` may also read the task's own output; the workflow `output` may read any task.
 */
export function checkExpressions(
  def: WorkflowDefinition,
  graph: TaskGraph,
  upstream: UpstreamIndex,
  issues: ValidationIssue[],
): Omit<CompiledParts, 'graph' | 'order'> {
  const context: Context = { graph, upstream, issues }
  const tasks = new Map<string, TaskExpressions>()
  for (const id of graph.ids) {
    const task = def.tasks[id]
    if (typeof task !== 'object' || task === null) continue
    const at: PathSegment[] = ['tasks', id]
    const compiled: TaskExpressions = {}
    compiled.when = expression(task.when, [...at, 'when'], id, 'upstream', 'bool', context)
    compiled.forEach = expression(task.forEach, [...at, 'forEach'], id, 'upstream', 'list', context)
    compiled.params = params(
      task.params,
      [...at, 'params'],
      id,
      typeof task.forEach === 'string',
      'upstream',
      context,
      task.action,
    )
    const compensate = task.compensate
    if (typeof compensate === 'object' && compensate !== null) {
      const path = [...at, 'compensate', 'params']
      compiled.compensateParams = params(
        compensate.params,
        path,
        id,
        false,
        'self-or-upstream',
        context,
        compensate.action,
      )
    }
    if (typeof task.cache === 'object' && task.cache !== null) {
      compiled.cacheKey = expression(
        task.cache.key,
        [...at, 'cache', 'key'],
        id,
        'upstream',
        undefined,
        context,
      )
    }
    tasks.set(id, compiled)
  }
  const output = expression(def.output, ['output'], undefined, 'any', undefined, context)
  return { tasks, output }
}

function expression(
  source: unknown,
  at: PathSegment[],
  taskId: string | undefined,
  reach: Reach,
  expected: 'bool' | 'list' | undefined,
  context: Context,
): CompiledExpression | undefined {
  if (typeof source !== 'string') return undefined
  const checked = checkExpression(source)
  if (!checked.ok) {
    context.issues.push(issueAt(at, checked.problem.code, explainProblem(checked.problem, source)))
    return undefined
  }
  const { type } = checked
  const fits = type === 'dyn' || (expected === 'bool' ? type === 'bool' : type.startsWith('list'))
  if (expected !== undefined && !fits) {
    const field = at.at(-1)
    context.issues.push(
      issueAt(
        at,
        'expression_type',
        `${String(field)} must yield ${expected === 'bool' ? 'a bool' : 'a list'}; ${JSON.stringify(source)} yields ${type}.`,
      ),
    )
    return undefined
  }
  if (checked.expression.secretRefs.length > 0) {
    context.issues.push(issueAt(at, 'secret_not_allowed', secretMisplaced(at, checked.expression.secretRefs)))
    return undefined
  }
  return checkReads(checked.expression.taskRefs, at, taskId, reach, context) ? checked.expression : undefined
}

function params(
  value: unknown,
  at: PathSegment[],
  taskId: string,
  item: boolean,
  reach: Reach,
  context: Context,
  action: unknown,
): CompiledParams | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const analysis = analyzeParams(value as Record<string, unknown>, { item })
  for (const problem of analysis.problems) {
    context.issues.push(issueAt([...at, ...problem.path], problem.code, problem.message))
  }
  let readsFit = true
  for (const reference of analysis.references) {
    if (reference.secretRefs.length > 0 && !takesSecrets(action, reference.path[0])) {
      const where = [...at, ...reference.path]
      context.issues.push(issueAt(where, 'secret_not_allowed', secretMisplaced(where, reference.secretRefs)))
      readsFit = false
    }
    readsFit = checkReads(reference.taskRefs, [...at, ...reference.path], taskId, reach, context) && readsFit
  }
  return readsFit ? analysis.params : undefined
}

/** Reports reads of unknown or not-yet-run tasks; true when every read is fine. */
function checkReads(
  refs: readonly string[],
  at: PathSegment[],
  taskId: string | undefined,
  reach: Reach,
  { graph, upstream, issues }: Context,
): boolean {
  let fine = true
  for (const ref of refs) {
    const target = graph.indexOf.get(ref)
    if (target === undefined) {
      fine = false
      issues.push(
        issueAt(
          at,
          'unknown_task_ref',
          `Reads tasks.${ref}, but the workflow has no task "${ref}"; the tasks are: ${listNames(graph.ids)}.`,
        ),
      )
      continue
    }
    if (reach === 'any' || taskId === undefined) continue
    if (ref === taskId) {
      if (reach === 'self-or-upstream') continue
      fine = false
      issues.push(
        issueAt(
          at,
          'not_upstream',
          `Task "${taskId}" reads its own tasks.${ref} here, before it has run; read an upstream task instead.`,
        ),
      )
      continue
    }
    if (!upstream.isUpstream(target, graph.indexOf.get(taskId)!)) {
      fine = false
      issues.push(
        issueAt(
          at,
          'not_upstream',
          `Reads tasks.${ref}, which is not upstream of "${taskId}", so its result may not exist yet; add "${ref}" to the dependsOn of "${taskId}" (directly or through one of its dependencies).`,
        ),
      )
    }
  }
  return fine
}
