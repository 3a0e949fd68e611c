import { describe, expect, it } from 'vitest'
import { checkExpression, compileExpression } from '../../src/definition/expression'
import { ExpressionError } from '../../src/errors'
import { scope } from './definitions'

function problemOf(source: string, options: { item?: boolean } = {}) {
  const checked = checkExpression(source, options)
  if (checked.ok) throw new Error(`expected a problem in ${source}`)
  return checked.problem
}

describe('compileExpression', () => {
  it('evaluates against the scope and returns plain numbers', () => {
    const expr = compileExpression('input.a > 1 && state.flag && run.id == "run-1"')
    expect(expr.evaluate(scope({ input: { a: 2 }, state: { flag: true } }))).toBe(true)
    expect(compileExpression('1 + 2 * 3').evaluate(scope())).toBe(7)
  })

  it('mixes JSON numbers (doubles) with int literals in + - * / %', () => {
    const s = scope({ input: { a: 7, b: 2 } })
    expect(compileExpression('input.a + 1').evaluate(s)).toBe(8)
    expect(compileExpression('1 + input.a').evaluate(s)).toBe(8)
    expect(compileExpression('input.a - 1').evaluate(s)).toBe(6)
    expect(compileExpression('10 - input.a').evaluate(s)).toBe(3)
    expect(compileExpression('input.a * 3').evaluate(s)).toBe(21)
    expect(compileExpression('input.a / 2').evaluate(s)).toBe(3.5)
    expect(compileExpression('7 / input.b').evaluate(s)).toBe(3.5)
    expect(compileExpression('input.a % 4').evaluate(s)).toBe(3)
    expect(compileExpression('9 % input.b').evaluate(s)).toBe(1)
    expect(compileExpression('input.a % input.b').evaluate(s)).toBe(1)
    expect(compileExpression('1 + 1.5').evaluate(s)).toBe(2.5)
    expect(compileExpression('input.a == 7 && input.a < 8 && input.a >= 7.0').evaluate(s)).toBe(true)
  })

  it('converts ints deeply inside lists and maps, keeping other values', () => {
    const value = compileExpression(
      "{'total': input.a + input.b, 'n': [1, 2, {'k': 3}], 's': 'x', 'd': 1.5}",
    ).evaluate(scope({ input: { a: 1, b: 2 } }))
    expect(value).toEqual({ total: 3, n: [1, 2, { k: 3 }], s: 'x', d: 1.5 })
    expect(compileExpression('size(input.list)').evaluate(scope({ input: { list: [1, 2] } }))).toBe(2)
    expect(compileExpression('timestamp("2024-01-01T00:00:00Z")').evaluate(scope())).toEqual(
      new Date('2024-01-01T00:00:00Z'),
    )
  })

  it('returns objects from the scope as they are when they hold no int', () => {
    const body = { lines: [{ price: 2.5 }] }
    expect(
      compileExpression('tasks.fetch.output').evaluate(
        scope({ tasks: { fetch: { output: body, status: 'completed' } } }),
      ),
    ).toBe(body)
  })

  it('throws a clear ExpressionError for an int beyond the safe range', () => {
    const expr = compileExpression('9223372036854775807')
    expect(() => expr.evaluate(scope())).toThrow(ExpressionError)
    expect(() => expr.evaluate(scope())).toThrow(/outside the range JavaScript numbers hold exactly/)
    expect(compileExpression('9007199254740991').evaluate(scope())).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('collects task references from tasks.X and tasks["X"], without duplicates', () => {
    const expr = compileExpression(
      'tasks.a.output + tasks["b"].output + tasks.a.output + size(tasks.c.output.list)',
    )
    expect([...expr.taskRefs].sort()).toEqual(['a', 'b', 'c'])
    expect(expr.usesItem).toBe(false)
    expect(compileExpression('tasks["price-line"].status == "skipped"').taskRefs).toEqual(['price-line'])
    expect(compileExpression('has(tasks.a.output.x)').taskRefs).toEqual(['a'])
  })

  it('gives expressions only the tasks they name, and reads a missing output as null', () => {
    const expr = compileExpression('tasks.a.output == null && tasks.a.status == "skipped"')
    expect(expr.evaluate(scope({ tasks: { a: { output: undefined, status: 'skipped' } } }))).toBe(true)
    const other = compileExpression('tasks.toString.status')
    expect(() => other.evaluate(scope())).toThrow(/No such key: toString/)
  })

  it('does not count macro-bound variables as scope variables', () => {
    const expr = compileExpression('input.list.map(tasks, tasks * 2)')
    expect(expr.taskRefs).toEqual([])
    expect(expr.evaluate(scope({ input: { list: [1, 2] } }))).toEqual([2, 4])
    expect(compileExpression('input.list.filter(item, item > 1)').usesItem).toBe(false)
    expect(compileExpression('cel.bind(item, 2, item * input.a)').evaluate(scope({ input: { a: 3 } }))).toBe(
      6,
    )
    expect(compileExpression('[1].exists(x, x == tasks.q.output)').taskRefs).toEqual(['q'])
  })

  it('allows item and index only when asked to', () => {
    const expr = compileExpression('{"n": item.n * 2, "i": index}', { item: true })
    expect(expr.usesItem).toBe(true)
    expect(expr.evaluate(scope({ item: { n: 4 }, index: 3 }))).toEqual({ n: 8, i: 3 })
    expect(
      compileExpression('input.list[index]', { item: true }).evaluate(
        scope({ input: { list: ['a', 'b'] }, index: 1 }),
      ),
    ).toBe('b')
    expect(() => compileExpression('item')).toThrow(ExpressionError)
    expect(problemOf('item + 1').code).toBe('item_outside_foreach')
    expect(problemOf('index').code).toBe('item_outside_foreach')
  })

  it('reports a syntax error with its position', () => {
    const problem = problemOf('input.a +')
    expect(problem).toMatchObject({ code: 'expression_syntax', offset: 9 })
    expect(() => compileExpression('input.a +')).toThrow(/Syntax error at column 10 in "input.a \+"/)
    expect(() => compileExpression('input.a &&\n  (input.b')).toThrow(/at line 2, column/)
    expect(problemOf('   ').code).toBe('expression_syntax')
  })

  it('reports unknown variables and type errors', () => {
    expect(problemOf('foo.bar == 1')).toMatchObject({ code: 'unknown_variable', offset: 0 })
    expect(problemOf('foo.bar == 1').detail).toMatch(
      /Unknown variable: foo; expressions read input, tasks, state and run/,
    )
    expect(problemOf('1 + "a"').code).toBe('expression_type')
  })

  it('refuses dynamic access to tasks', () => {
    expect(problemOf('tasks[input.name].output').code).toBe('dynamic_task_ref')
    expect(problemOf('size(tasks) > 0').code).toBe('dynamic_task_ref')
    expect(problemOf('"a" in tasks').code).toBe('dynamic_task_ref')
    expect(() => compileExpression('tasks[input.name]')).toThrow(/refer to tasks by name/)
  })

  it('refuses fields of a task other than output and status', () => {
    expect(problemOf('tasks.fetch.outptu.body')).toMatchObject({ code: 'unknown_task_field' })
  })

  it('refuses an expression over the length limit', () => {
    expect(problemOf(`input.a${' + 1'.repeat(3000)}`).code).toBe('expression_too_long')
  })

  it('wraps evaluation errors in an ExpressionError naming the expression', () => {
    const expr = compileExpression('tasks.fetch.output.body.total > 10')
    const run = () => expr.evaluate(scope({ tasks: { fetch: { output: {}, status: 'completed' } } }))
    expect(run).toThrow(ExpressionError)
    expect(run).toThrow(
      /Expression "tasks.fetch.output.body.total > 10" failed at column \d+: No such key: body/,
    )
    try {
      run()
    } catch (error) {
      expect((error as ExpressionError).code).toBe('EXPRESSION_FAILED')
      expect((error as ExpressionError).expression).toBe('tasks.fetch.output.body.total > 10')
    }
  })

  it('caches by source: the same source compiles to the same object', () => {
    expect(compileExpression('input.cached + 1')).toBe(compileExpression('input.cached + 1'))
  })

  it('cannot reach prototypes through the scope', () => {
    expect(() => compileExpression('input.constructor').evaluate(scope())).toThrow(ExpressionError)
    expect(compileExpression('has(input.__proto__)').evaluate(scope())).toBe(false)
  })
})
