import type { ParseResult } from '@marcbachmann/cel-js'
import { ExpressionError } from '../errors'
import type { CompiledExpression, ExpressionScope } from '../types'
import { celEnvironment } from './cel-environment'
import { fromCel, toCel } from './cel-values'
import { BudgetExceeded, EVALUATION_LIMITS, meterExpression, withBudget } from './expression-budget'
import { type ExpressionProblem, explainProblem, locate, positionIn } from './expression-problem'
import { findReferences } from './expression-references'
import { DEFINITION_LIMITS } from './parse'

export type { ExpressionProblem } from './expression-problem'

/** A compiled expression and its CEL result type (`bool`, `list<dyn>`, `dyn`…), or the problem. */
export type ExpressionCheck =
  | { ok: true; expression: CompiledExpression; type: string }
  | { ok: false; problem: ExpressionProblem }

const CACHE_SIZE = 4096
const cache = new Map<string, ExpressionCheck>()

/**
 * Compiles a CEL expression once; `evaluate` then runs it against a run's scope. The expression
 * is parsed, type-checked against the variables `input`, `tasks`, `state`, `run` (and `item`,
 * `index` with `options.item`), and its `tasks.<id>` reads are collected in `taskRefs`.
 * Integers come back as JavaScript numbers.
 *
 * @throws ExpressionError when the expression has a syntax or type error (the message gives the
 *   line and column), reads an unknown variable, reads `tasks` with a computed key, or uses
 *   `item`/`index` without `options.item`.
 * @example
 * const total = compileExpression('input.price * 2 + 1')
 * total.evaluate({ input: { price: 10 }, tasks: {}, state: {}, run: { id: 'r1', definitionId: 'd', version: '1.0.0' } }) // 21
 */
export function compileExpression(source: string, options: { item?: boolean } = {}): CompiledExpression {
  const checked = checkExpression(source, options)
  if (checked.ok) return checked.expression
  throw new ExpressionError(source, `Invalid expression: ${explainProblem(checked.problem, source)}`)
}

/**
 * Like `compileExpression`, but returns the problem instead of throwing, so that validation can
 * list every problem with its code. Results are cached by source text.
 */
export function checkExpression(source: string, options: { item?: boolean } = {}): ExpressionCheck {
  const checked = analyze(source)
  if (!checked.ok || options.item || !checked.expression.usesItem) return checked
  return {
    ok: false,
    problem: {
      code: 'item_outside_foreach',
      what: '"item" and "index" used outside forEach',
      detail: 'they exist only in the params of a task that has "forEach"',
    },
  }
}

function analyze(source: string): ExpressionCheck {
  const hit = cache.get(source)
  if (hit !== undefined) {
    cache.delete(source)
    cache.set(source, hit)
    return hit
  }
  const result = analyzeUncached(source)
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string)
  cache.set(source, result)
  return result
}

function analyzeUncached(source: string): ExpressionCheck {
  if (source.length > DEFINITION_LIMITS.maxExpressionLength) {
    return fail({
      code: 'expression_too_long',
      what: 'Expression too long',
      detail: `${source.length} characters; the limit is ${DEFINITION_LIMITS.maxExpressionLength}. Move the logic into an action.`,
    })
  }
  if (source.trim() === '') {
    return fail({
      code: 'expression_syntax',
      what: 'Empty expression',
      detail: 'write a CEL expression here',
    })
  }
  let parsed: ParseResult
  try {
    parsed = celEnvironment().parse(source)
  } catch (error) {
    const { summary, offset } = locate(error)
    return fail({ code: 'expression_syntax', what: 'Syntax error', detail: summary, offset })
  }
  const typed = parsed.check()
  if (!typed.valid) {
    const { summary, offset } = locate(typed.error)
    if (typed.error?.code === 'unknown_variable') {
      return fail({
        code: 'unknown_variable',
        what: 'Unknown variable',
        detail: `${summary}; expressions read input, tasks, state and run (and item, index in the params of a forEach task)`,
        offset,
      })
    }
    return fail({ code: 'expression_type', what: 'Type error', detail: summary, offset })
  }
  const references = findReferences(parsed.ast)
  if (references.problem) return fail(references.problem)
  const unsafe = meterExpression(parsed.ast)
  if (unsafe) return fail(unsafe)
  return {
    ok: true,
    expression: new CelExpression(source, parsed, [...references.taskRefs], references.usesItem, [
      ...references.secrets,
    ]),
    type: typed.type ?? 'dyn',
  }
}

function fail(problem: ExpressionProblem): ExpressionCheck {
  return { ok: false, problem }
}

class CelExpression implements CompiledExpression {
  readonly source: string
  readonly taskRefs: readonly string[]
  readonly usesItem: boolean
  readonly secretRefs: readonly string[]
  readonly #program: ParseResult

  constructor(
    source: string,
    program: ParseResult,
    taskRefs: string[],
    usesItem: boolean,
    secretRefs: string[],
  ) {
    this.source = source
    this.#program = program
    this.taskRefs = taskRefs
    this.usesItem = usesItem
    this.secretRefs = secretRefs
  }

  evaluate(scope: ExpressionScope): unknown {
    const tasks: Record<string, { output: unknown; status: string }> = {}
    for (const id of this.taskRefs) {
      const task = scope.tasks && Object.hasOwn(scope.tasks, id) ? scope.tasks[id] : undefined
      // A task that produced no output (skipped, not yet run) reads as null, not as a missing key.
      if (task !== undefined)
        tasks[id] = { output: task.output === undefined ? null : task.output, status: task.status }
    }
    const context: Record<string, unknown> = {
      input: scope.input ?? {},
      tasks,
      state: scope.state ?? {},
      run: scope.run ?? {},
    }
    if (this.usesItem) {
      context.item = scope.item === undefined ? null : scope.item
      context.index = BigInt(scope.index ?? 0)
    }
    let value: unknown
    try {
      // An evaluation inside another metered one (a test's withBudget) shares its budget.
      value = withBudget(EVALUATION_LIMITS.maxSteps, () => this.#run(context))
    } catch (error) {
      const { summary, offset } = locate(error)
      const where = offset === undefined ? '' : ` at ${positionIn(this.source, offset)}`
      throw new ExpressionError(
        this.source,
        `Expression ${JSON.stringify(this.source)} failed${where}: ${summary}`,
        { cause: error },
      )
    }
    return fromCel(value, this.source)
  }

  /**
   * Data with a `constructor` key trips cel-js's type detection. Finding such keys means walking
   * all the data, so that walk is done only when an evaluation failed, and then only once.
   */
  #run(context: Record<string, unknown>): unknown {
    try {
      return this.#program(context)
    } catch (error) {
      const prepared = error instanceof BudgetExceeded ? context : toCel(context)
      if (prepared === context) throw error
      return this.#program(prepared as Record<string, unknown>)
    }
  }
}
