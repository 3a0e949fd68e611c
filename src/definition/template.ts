import { copyValue, deepFreeze } from '../boundary'
import { ExpressionError } from '../errors'
import type { CompiledExpression, CompiledParams, ExpressionScope } from '../types'
import { checkExpression } from './expression'
import { type ExpressionProblem, explainProblem } from './expression-problem'
import { formatPath, type PathSegment } from './issue-path'
import { hasTemplate, scanTemplate } from './template-scanner'

/** A problem in one string of a params object, with its path inside the params. */
export interface ParamsProblem {
  path: PathSegment[]
  code: string
  message: string
  /** The string that holds the expression. */
  text: string
}

type Part = string | CompiledExpression

/** A params tree with its templates compiled; static subtrees are kept as values. */
type Plan =
  | { kind: 'static'; value: unknown }
  | { kind: 'exact'; expression: CompiledExpression }
  | { kind: 'interpolate'; parts: Part[] }
  | { kind: 'object'; entries: [string, Plan][] }
  | { kind: 'array'; items: Plan[] }

/** The tasks one string of the params reads, by path inside the params. */
export interface ParamsReference {
  path: PathSegment[]
  taskRefs: readonly string[]
  /** The secrets the string names through `secret('name')`. */
  secretRefs: readonly string[]
}

interface Collected {
  problems: ParamsProblem[]
  references: ParamsReference[]
  taskRefs: Set<string>
  item: boolean
}

/**
 * Compiles a task's `params`. A string that is exactly `"${ expr }"` becomes the value of
 * `expr`, of any type; a string with `${ expr }` pieces inside text is interpolated (strings
 * as they are, other values as JSON); `$${` writes a literal `${`. Params without any `${`
 * come back `static`, so nothing is done per run. Parts without templates are shared by every
 * run, so they are deep-frozen here; an exact template's value is a copy, since it may be the
 * run's own data (`${ input.items }`).
 *
 * @throws ExpressionError for the first expression that does not compile, naming its path.
 * @example
 * const params = compileParams({ url: "${ 'https://shop.test/orders/' + input.id }", retries: 2 })
 * if (!params.static) params.resolve(scope) // { url: 'https://shop.test/orders/42', retries: 2 }
 */
export function compileParams(
  params: Record<string, unknown>,
  options: { item?: boolean } = {},
): CompiledParams {
  const analysis = analyzeParams(params, options)
  const first = analysis.problems[0]
  if (first)
    throw new ExpressionError(
      first.text,
      `Invalid template in ${formatPath(['params', ...first.path])}: ${first.message}`,
    )
  return analysis.params!
}

/** Like `compileParams`, but lists every problem instead of throwing at the first. */
export function analyzeParams(
  params: Record<string, unknown>,
  options: { item?: boolean } = {},
): { params?: CompiledParams; problems: ParamsProblem[]; references: ParamsReference[] } {
  const collected: Collected = {
    problems: [],
    references: [],
    taskRefs: new Set(),
    item: options.item === true,
  }
  const plan = freezeStatic(planValue(params, [], collected))
  const { problems, references } = collected
  if (problems.length > 0) return { problems, references }
  if (plan.kind === 'static') {
    return { params: { static: true, value: plan.value as Record<string, unknown> }, problems, references }
  }
  return {
    params: {
      static: false,
      taskRefs: [...collected.taskRefs],
      resolve: (scope) => resolvePlan(plan, scope) as Record<string, unknown>,
    },
    problems,
    references,
  }
}

function planValue(value: unknown, path: PathSegment[], collected: Collected): Plan {
  if (typeof value === 'string')
    return hasTemplate(value) ? planString(value, path, collected) : { kind: 'static', value }
  if (typeof value !== 'object' || value === null) return { kind: 'static', value }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => planValue(item, [...path, i], collected))
    if (!allStatic(items)) return { kind: 'array', items }
    const values = items.map(staticValue)
    return { kind: 'static', value: values.every((v, i) => v === value[i]) ? value : values }
  }
  const record = value as Record<string, unknown>
  const entries = Object.entries(record).map(([key, item]): [string, Plan] => [
    key,
    planValue(item, [...path, key], collected),
  ])
  if (!allStatic(entries.map(([, p]) => p))) return { kind: 'object', entries }
  const values = entries.map(([key, p]): [string, unknown] => [key, staticValue(p)])
  return {
    kind: 'static',
    value: values.every(([key, v]) => v === record[key]) ? value : Object.fromEntries(values),
  }
}

function freezeStatic(plan: Plan): Plan {
  switch (plan.kind) {
    case 'static':
      deepFreeze(plan.value)
      break
    case 'object':
      for (const [, item] of plan.entries) freezeStatic(item)
      break
    case 'array':
      for (const item of plan.items) freezeStatic(item)
      break
  }
  return plan
}

function staticValue(plan: Plan): unknown {
  return (plan as { value: unknown }).value
}

function allStatic(plans: Plan[]): boolean {
  return plans.every((p) => p.kind === 'static')
}

function planString(text: string, path: PathSegment[], collected: Collected): Plan {
  const scanned = scanTemplate(text)
  if (!scanned.ok) {
    const problem: ExpressionProblem = {
      code: 'expression_syntax',
      what: 'Syntax error',
      detail: scanned.detail,
    }
    collected.problems.push({
      path,
      code: problem.code,
      message: explainProblem({ ...problem, offset: scanned.offset }, text),
      text,
    })
    return { kind: 'static', value: text }
  }
  const parts: Part[] = []
  const refs = new Set<string>()
  const secretRefs = new Set<string>()
  for (const piece of scanned.pieces) {
    if ('text' in piece) {
      parts.push(piece.text)
      continue
    }
    const checked = checkExpression(piece.source, { item: collected.item })
    if (!checked.ok) {
      collected.problems.push({
        path,
        code: checked.problem.code,
        message: explainProblem(checked.problem, text, piece.offset),
        text,
      })
      continue
    }
    for (const ref of checked.expression.taskRefs) refs.add(ref)
    for (const name of checked.expression.secretRefs) secretRefs.add(name)
    parts.push(checked.expression)
  }
  if (refs.size > 0 || secretRefs.size > 0) {
    collected.references.push({ path, taskRefs: [...refs], secretRefs: [...secretRefs] })
    for (const ref of refs) collected.taskRefs.add(ref)
  }
  if (parts.every((part) => typeof part === 'string')) return { kind: 'static', value: parts.join('') }
  if (scanned.exact) return { kind: 'exact', expression: parts[0] as CompiledExpression }
  return { kind: 'interpolate', parts }
}

function resolvePlan(plan: Plan, scope: ExpressionScope): unknown {
  switch (plan.kind) {
    case 'static':
      return plan.value
    case 'exact':
      return copyValue(plan.expression.evaluate(scope))
    case 'interpolate':
      return plan.parts
        .map((part) => (typeof part === 'string' ? part : asText(part.evaluate(scope))))
        .join('')
    case 'array':
      return plan.items.map((item) => resolvePlan(item, scope))
    case 'object':
      return Object.fromEntries(plan.entries.map(([key, item]) => [key, resolvePlan(item, scope)]))
  }
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  return JSON.stringify(value) ?? String(value)
}
