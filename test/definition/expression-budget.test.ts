import { describe, expect, it } from 'vitest'
import { checkExpression, compileExpression } from '../../src/definition/expression'
import { EVALUATION_LIMITS, withBudget } from '../../src/definition/expression-budget'
import { ExpressionError } from '../../src/errors'
import { def, testEngine } from '../support/engine-fixtures'
import { scope } from './definitions'

const list = (n: number) => Array.from({ length: n }, (_, i) => i)

function failure(evaluate: () => unknown): ExpressionError {
  try {
    evaluate()
  } catch (error) {
    if (error instanceof ExpressionError) return error
    throw error
  }
  throw new Error('expected the evaluation to fail')
}

describe('the work budget of one evaluation', () => {
  it('charges every comprehension step, so the same expression over more items runs out', () => {
    const expr = compileExpression('input.l.map(x, x * 2.0).size() > 0')
    expect(withBudget(1_000, () => expr.evaluate(scope({ input: { l: list(10) } })))).toBe(true)
    const error = failure(() => withBudget(1_000, () => expr.evaluate(scope({ input: { l: list(1_000) } }))))
    expect(error.code).toBe('EXPRESSION_FAILED')
    expect(error.message).toMatch(/budget of 1000 steps/)
  })

  it('charges nested comprehensions for every inner step', () => {
    const nested = compileExpression('input.l.all(a, input.l.all(b, true))')
    const flat = compileExpression('input.l.all(a, true)')
    const s = scope({ input: { l: list(40) } })
    expect(withBudget(200, () => flat.evaluate(s))).toBe(true)
    expect(failure(() => withBudget(200, () => nested.evaluate(s))).code).toBe('EXPRESSION_FAILED')
  })

  it('by default, three nested quantifiers over a few hundred items fail instead of blocking', () => {
    const expr = compileExpression('input.l.all(a, input.l.all(b, input.l.all(c, true)))')
    const started = performance.now()
    const error = failure(() => expr.evaluate(scope({ input: { l: list(300) } })))
    expect(error.message).toMatch(new RegExp(`budget of ${EVALUATION_LIMITS.maxSteps} steps`))
    // A hang guard, not a measurement: without the budget this runs for tens of seconds.
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  it('the budget is per evaluation: a spent one does not carry over', () => {
    const expr = compileExpression('input.l.exists(x, x < 0.0)')
    expect(() => expr.evaluate(scope({ input: { l: list(100_000) } }))).toThrow(ExpressionError)
    expect(expr.evaluate(scope({ input: { l: [...list(600), -1] } }))).toBe(true)
  })
})

describe('matches', () => {
  it('a literal catastrophic pattern is refused when the expression is checked', () => {
    for (const source of [
      "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.matches('^(a+)+$')",
      "'xx'.matches('(x*)*y')",
      "input.s.matches('(a|b+){2,}')",
      "input.s.matches('(a*)\\\\1')",
    ]) {
      const checked = checkExpression(source)
      expect(checked.ok, source).toBe(false)
      expect(!checked.ok && checked.problem.code).toBe('unsafe_pattern')
    }
    expect(checkExpression("input.s.matches('^[a-z]+(-[a-z]+)?@[a-z]+\\\\.[a-z]{2,}$')").ok).toBe(true)
  })

  it('a catastrophic pattern from run data fails the evaluation before it runs', () => {
    const expr = compileExpression('input.s.matches(input.p)')
    const error = failure(() => expr.evaluate(scope({ input: { s: `${'a'.repeat(40)}!`, p: '^(a+)+$' } })))
    expect(error.code).toBe('EXPRESSION_FAILED')
    expect(error.message).toMatch(/repeated group/)
    expect(expr.evaluate(scope({ input: { s: 'abc', p: '^a.c$' } }))).toBe(true)
  })

  it('refuses to test text longer than the limit', () => {
    const expr = compileExpression("input.s.matches('^a+$')")
    expect(expr.evaluate(scope({ input: { s: 'a'.repeat(10_000) } }))).toBe(true)
    expect(failure(() => expr.evaluate(scope({ input: { s: 'a'.repeat(10_001) } }))).message).toMatch(
      /at most 10000/,
    )
  })

  it('refuses long text for a pattern with many repetitions (polynomial backtracking)', () => {
    const expr = compileExpression("input.s.matches('^a*a*a*$')")
    expect(expr.evaluate(scope({ input: { s: 'a'.repeat(400) } }))).toBe(true)
    const started = performance.now()
    const error = failure(() => expr.evaluate(scope({ input: { s: `${'a'.repeat(10_000)}!` } })))
    expect(error.message).toMatch(/at most 464/)
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  it('refuses alternatives inside a repeated group from run data', () => {
    const expr = compileExpression('input.s.matches(input.p)')
    const error = failure(() => expr.evaluate(scope({ input: { s: `${'a'.repeat(28)}!`, p: '^(a|a)*$' } })))
    expect(error.message).toMatch(/alternatives/)
  })
})

describe('through the engine', () => {
  it('a task whose when runs out of budget fails with EXPRESSION_FAILED', async () => {
    const { engine } = testEngine()
    await engine.register(
      def(
        { a: { action: 'noop', when: 'input.l.all(a, input.l.all(b, input.l.all(c, true)))' } },
        { defaults: { retry: { maxAttempts: 1 } } },
      ),
    )
    const run = await engine.start('wf', { l: list(300) })
    const done = await engine.wait(run.runId)
    expect(done.tasks.a).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_FAILED' } })
  })

  it('a definition with a catastrophic literal pattern is refused at register', async () => {
    const { engine } = testEngine()
    const error = await engine
      .register(def({ a: { action: 'noop', when: "input.s.matches('^(a+)+$')" } }))
      .catch((e) => e)
    expect(error).toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [{ path: 'tasks.a.when', code: 'unsafe_pattern' }],
    })
  })
})
