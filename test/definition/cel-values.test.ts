import { describe, expect, it } from 'vitest'
import { checkExpression, compileExpression } from '../../src/definition/expression'
import { ExpressionError } from '../../src/errors'
import { def, testEngine } from '../support/engine-fixtures'
import { scope } from './definitions'

describe('plain data reaches expressions whatever its keys', () => {
  const order = { name: 'lamp', constructor: 'acme', prototype: 1 }

  it('reads an object with a key named constructor, and the key itself', () => {
    const s = scope({
      input: { order },
      state: { last: order },
      tasks: { a: { output: order, status: 'completed' } },
    })
    expect(compileExpression('input.order.name').evaluate(s)).toBe('lamp')
    expect(compileExpression('input.order.constructor').evaluate(s)).toBe('acme')
    expect(compileExpression('state.last.name + tasks.a.output.constructor').evaluate(s)).toBe('lampacme')
    expect(compileExpression('has(input.order.constructor) && size(input.order) == 3').evaluate(s)).toBe(true)
  })

  it('hands such objects back as plain objects with the same keys', () => {
    const s = scope({ input: { orders: [order, { name: 'desk', constructor: { id: 7 } }] } })
    const value = compileExpression('input.orders').evaluate(s)
    expect(value).toEqual([order, { name: 'desk', constructor: { id: 7 } }])
    expect(Object.getPrototypeOf((value as object[])[0])).toBe(Object.prototype)
    expect(compileExpression('input.orders.map(o, o.name)').evaluate(s)).toEqual(['lamp', 'desk'])
    expect(compileExpression('input.orders[1].constructor.id + 1').evaluate(s)).toBe(8)
  })

  it('an action output with a constructor key feeds when and params downstream', async () => {
    const { engine } = testEngine({ actions: { vendor: () => ({ name: 'lamp', constructor: 'acme' }) } })
    await engine.register(
      def({
        a: { action: 'vendor' },
        b: {
          action: 'transform',
          dependsOn: ['a'],
          when: "tasks.a.output.constructor == 'acme'",
          params: { value: '${ tasks.a.output }' },
        },
      }),
    )
    const run = await engine.start('wf')
    const done = await engine.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.b!.output).toEqual({ name: 'lamp', constructor: 'acme' })
  })
})

describe('bytes(…).json()', () => {
  it('is refused when the expression is checked, with what to do instead', () => {
    const checked = checkExpression('bytes(\'{"a": 1}\').json().a == 1')
    expect(checked.ok).toBe(false)
    expect(!checked.ok && checked.problem.code).toBe('unsupported_function')
    expect(() => compileExpression("bytes('{}').json()")).toThrow(ExpressionError)
    expect(() => compileExpression("bytes('{}').json()")).toThrow(/json\(\)/)
  })
})
