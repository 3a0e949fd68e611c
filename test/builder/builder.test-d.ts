import { type Expr, expr, workflow } from 'spindle'
import { expectTypeOf } from 'vitest'
import { actions, type Order } from './actions'

// The task outputs flow into later tasks' references, with their types.
workflow('order', '1.0.0', { actions })
  .params({ orderId: { type: 'string', required: true }, rush: { type: 'boolean' } })
  .task('fetch', 'fetch-order', (t) => {
    expectTypeOf(t.input.orderId).toMatchTypeOf<Expr<string>>()
    return { orderId: t.input.orderId }
  })
  .task('first', 'price-line', (t) => {
    expectTypeOf(t.tasks.fetch.output).toMatchTypeOf<Expr<Order>>()
    expectTypeOf(t.tasks.fetch.output.total).toMatchTypeOf<Expr<number>>()
    return { sku: t.tasks.fetch.output.lines[0]!.sku, qty: t.tasks.fetch.output.lines[0]!.qty }
  })
  .task(
    'tell',
    'notify',
    (t) => ({ to: 'ops', text: `order ${t.input.orderId} priced ${t.tasks.first.output}` }),
    {
      dependsOn: ['fetch'],
      when: expr<boolean>('tasks.first.output > 100'),
    },
  )
  .task('sum', 'transform', { value: 1 })
  .build()

const base = workflow('order', '1.0.0', { actions }).task('fetch', 'fetch-order', { orderId: 'A-1' })

// @ts-expect-error an action the app did not register
base.task('x', 'send-fax', {})

// @ts-expect-error a param of the wrong type (qty is a number)
base.task('p', 'price-line', { sku: 'a', qty: 'two' })

// @ts-expect-error a missing param (sku)
base.task('p', 'price-line', { qty: 2 })

// @ts-expect-error a number expression where a string belongs
base.task('p', 'price-line', (t) => ({ sku: t.tasks.fetch.output.total, qty: 1 }))

// @ts-expect-error dependsOn on a task not declared (yet)
base.task('p', 'notify', { to: 'a', text: 'b' }, { dependsOn: ['later'] })

// @ts-expect-error the same task id twice
base.task('fetch', 'noop', {})

// @ts-expect-error a field the output type does not have
base.task('p', 'notify', (t) => ({ to: t.tasks.fetch.output.customer, text: 'x' }))

// An expression of the right type is accepted where a value belongs.
base.task('p', 'price-line', { sku: expr<string>('input.sku'), qty: expr<number>('size(input.lines)') })
