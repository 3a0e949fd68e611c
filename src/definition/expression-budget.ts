import type { ASTNode } from '@marcbachmann/cel-js'
import type { ExpressionProblem } from './expression-problem'
import { maxTextLength, regexHazard } from './regex-hazard'

/**
 * The work one evaluation may do. CEL always terminates, but `l.all(a, l.all(b, l.all(c, …)))`
 * over a few hundred items, or `matches` with a backtracking pattern, can block the worker for
 * minutes; cel-js limits only the size of the expression, not the work of running it.
 */
export const EVALUATION_LIMITS = Object.freeze({
  /** Work units per evaluation: each comprehension step costs the AST nodes it evaluates. */
  maxSteps: 200_000,
})

/** What an evaluation that ran out of budget throws (the expression then fails). */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded'
}

/** The evaluation running now. Evaluations are synchronous, so one is current at a time. */
let current: { left: number; limit: number } | undefined

/**
 * Runs `evaluate` with a work budget of `steps`; the metered parts of the expression (see
 * `meterExpression`) throw `BudgetExceeded` when it is spent. Inside another `withBudget`, the
 * outer budget applies (so a caller can give an evaluation less than the default).
 */
export function withBudget<T>(steps: number, evaluate: () => T): T {
  if (current) return evaluate()
  const outer = current
  current = { left: steps, limit: steps }
  try {
    return evaluate()
  } finally {
    current = outer
  }
}

/** The internals of a cel-js node that metering needs (not part of its typings). */
interface Node {
  op: string
  args: unknown
  evaluate(ev: unknown, ast: unknown, ctx: unknown): unknown
  meta?: { alternate?: Node; macro?: Node; evaluate?: Node['evaluate'] }
}

/**
 * Prepares a checked expression for metered evaluation: every comprehension step (the macros
 * `all`, `exists`, `exists_one`, `map`, `filter`) charges the budget its size each time it runs,
 * and every `matches` checks its text length and its pattern (when the pattern is computed at
 * run time). Returns the problem when a literal `matches` pattern is unsafe, so that the
 * definition is refused at register.
 */
export function meterExpression(ast: ASTNode): ExpressionProblem | undefined {
  let problem: ExpressionProblem | undefined
  visit(ast as unknown as Node, (node) => {
    if (node.op === 'comprehension') {
      const step = (node.args as { step?: Node }).step
      if (step) wrap(step, () => charge(size(step)))
      return
    }
    const call = matchesCall(node)
    if (!call) return
    const [text, pattern] = call
    if (pattern.op === 'value' && typeof pattern.args === 'string') {
      const hazard = regexHazard(pattern.args)
      if (hazard) problem ??= { code: 'unsafe_pattern', what: 'Unsafe matches pattern', detail: hazard }
    }
    // cel-js evaluates the pattern and the text one after the other (in an order of its
    // choosing); the second of the two checks the text length against the pattern.
    let length: number | undefined
    let max: number | undefined
    const check = () => {
      if (length === undefined || max === undefined) return
      const [text, limit] = [length, max]
      length = max = undefined
      if (text > limit) {
        throw new BudgetExceeded(
          `matches() with this pattern tests text of at most ${limit} characters (fewer the more repetitions it has); this text has ${text}. Test a shorter part of it, or simplify the pattern.`,
        )
      }
    }
    wrap(text, undefined, (value) => {
      length = typeof value === 'string' ? value.length : 0
      check()
    })
    wrap(pattern, undefined, (value) => {
      if (typeof value !== 'string') return
      const hazard = regexHazard(value)
      if (hazard)
        throw new BudgetExceeded(
          `matches() refused the pattern ${JSON.stringify(value.slice(0, 60))}: ${hazard}.`,
        )
      max = maxTextLength(value)
      check()
    })
  })
  return problem
}

function charge(cost: number): void {
  if (!current) return
  current.left -= cost
  if (current.left < 0) {
    throw new BudgetExceeded(
      `the evaluation exceeded its budget of ${current.limit} steps (nested all/exists/map/filter over large lists); iterate over less data or move the work into an action.`,
    )
  }
}

/** `text.matches(pattern)` (cel-js has no global `matches`): its text and pattern nodes. */
function matchesCall(node: Node): [Node, Node] | undefined {
  if (node.op !== 'rcall') return undefined
  const [name, receiver, args] = node.args as [string, Node, Node[]]
  return name === 'matches' && args.length === 1 ? [receiver, args[0]!] : undefined
}

/**
 * Runs `before` ahead of a node's evaluation and `after` on its value. A cel-js node resolves its
 * handler (itself, its macro expansion or its alternate) on first use; this resolves it the
 * same way, once, so the wrapper stays in place.
 */
function wrap(node: Node, before?: () => void, after?: (value: any) => void): void {
  const meta = node.meta
  const handler = Object.hasOwn(node, 'evaluate')
    ? node.evaluate
    : meta?.alternate
      ? (ev: unknown, _ast: unknown, ctx: unknown) => meta.alternate!.evaluate(ev, meta.alternate, ctx)
      : meta?.macro
        ? (ev: unknown, _ast: unknown, ctx: unknown) => meta.macro!.evaluate(ev, meta.macro, ctx)
        : meta?.evaluate
  if (!handler)
    throw new Error(`cel-js node "${node.op}" has no evaluate handler; the budget cannot meter it`)
  node.evaluate = function metered(ev, ast, ctx) {
    before?.()
    const value = handler.call(this, ev, ast, ctx)
    after?.(value)
    return value
  }
}

const sizes = new WeakMap<Node, number>()

/** The nodes under `node`, itself included: what one evaluation of it may touch. */
function size(node: Node): number {
  let known = sizes.get(node)
  if (known === undefined) {
    known = 0
    visit(node, () => {
      known! += 1
    })
    sizes.set(node, known)
  }
  return known
}

function visit(node: Node, see: (node: Node) => void, seen = new Set<Node>()): void {
  if (seen.has(node)) return
  seen.add(node)
  see(node)
  const meta = node.meta
  if (meta?.alternate) visit(meta.alternate, see, seen)
  if (meta?.macro) visit(meta.macro, see, seen)
  for (const child of children(node.args)) visit(child, see, seen)
}

function* children(args: unknown): Generator<Node> {
  if (isNode(args)) yield args
  else if (Array.isArray(args)) for (const arg of args) yield* children(arg)
  else if (typeof args === 'object' && args !== null) {
    for (const value of Object.values(args)) if (isNode(value) || Array.isArray(value)) yield* children(value)
  }
}

function isNode(value: unknown): value is Node {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Node).op === 'string' &&
    'evaluate' in value
  )
}
