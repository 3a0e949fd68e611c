import { compose, expr, pipeline, templates, workflow } from 'spindle'
import { describe, expect, it } from 'vitest'
import { templateDefinition } from '../../src/templates/catalog'
import { testEngines } from '../support/engine-fixtures'
import { actions } from './actions'

describe('workflow() … build()', () => {
  const open = testEngines()

  it('builds a 2.0 definition whose references become ${ } expressions and imply dependencies', () => {
    const def = workflow('order', '1.0.0', { actions })
      .name('Order')
      .params({ orderId: { type: 'string', required: true } })
      .task('fetch', 'fetch-order', (t) => ({ orderId: t.input.orderId }), { retry: { maxAttempts: 3 } })
      .task('price', 'price-line', (t) => ({ sku: t.tasks.fetch.output.lines[0]!.sku, qty: 2 }))
      .task('tell', 'notify', (t) => ({
        to: 'ops',
        text: `order ${t.input.orderId}: ${t.tasks.price.output}`,
      }))
      .output((t) => t.tasks.price.output)
      .build()
    expect(def).toEqual({
      schemaVersion: '2.0',
      id: 'order',
      version: '1.0.0',
      name: 'Order',
      params: { orderId: { type: 'string', required: true } },
      tasks: {
        fetch: {
          action: 'fetch-order',
          retry: { maxAttempts: 3 },
          params: { orderId: '${ input.orderId }' },
        },
        price: {
          action: 'price-line',
          params: { sku: '${ tasks.fetch.output.lines[0].sku }', qty: 2 },
          dependsOn: ['fetch'],
        },
        tell: {
          action: 'notify',
          params: { to: 'ops', text: 'order ${ input.orderId }: ${ tasks.price.output }' },
          dependsOn: ['price'],
        },
      },
      output: 'tasks.price.output',
    })
  })

  it('registers and runs what it builds', async () => {
    const { engine } = open({ actions })
    const def = workflow('order', '1.0.0', { actions })
      .params({ orderId: { type: 'string', required: true } })
      .task('fetch', 'fetch-order', (t) => ({ orderId: t.input.orderId }))
      .task(
        'lines',
        'price-line',
        { sku: expr<string>('item.sku'), qty: expr<number>('item.qty') },
        {
          forEach: expr<unknown[]>('tasks.fetch.output.lines'),
        },
      )
      .task('big', 'transform', (t) => ({ value: t.tasks.fetch.output.total }), {
        when: expr<boolean>('tasks.fetch.output.total > 1000'),
      })
      .output('tasks.lines.output')
      .build()
    expect(def.tasks.lines!.dependsOn).toEqual(['fetch'])
    await engine.register(def)
    const run = await engine.wait((await engine.start('order', { orderId: 'A-1' })).runId)
    expect(run).toMatchObject({ status: 'completed', output: [20] })
    expect(run.tasks.big!.output).toBe(1200)
  })

  it('lists every problem at build: an unknown action, a bad id, a duplicate task, a bad expression', () => {
    const builder = workflow('Bad Id', '1.0.0', { actions })
      .task('a', 'fetch-order', { orderId: 'x' })
      .task('b', 'send-fax' as never, {} as never)
      .task('a' as never, 'noop', {})
      .task('c', 'transform', { value: expr('tasks.a.output +') })
    let error: unknown
    try {
      builder.build()
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'DefinitionError', code: 'DEFINITION_INVALID' })
    expect((error as { issues: { code: string }[] }).issues.map((i) => i.code).sort()).toEqual(
      ['duplicate_task', 'expression_syntax', 'invalid_id', 'unknown_action'].sort(),
    )
  })
})

describe('pipeline()', () => {
  const open = testEngines()

  it('passes each result on with the input, and runs', async () => {
    const seen: unknown[] = []
    const step = (name: string) => (params: { previous?: number; state: { n: number } }) => {
      seen.push(params)
      return (params.previous ?? params.state.n) * 2 + (name === 'last' ? 1 : 0)
    }
    const { engine } = open({ actions: { double: step('double'), last: step('last') } })
    const def = pipeline('math', '1.0.0', 'double', { action: 'double', id: 'again' }, 'last')
    expect(Object.keys(def.tasks)).toEqual(['double', 'again', 'last'])
    await engine.register({ ...def, params: { n: { type: 'number', required: true } } })
    const run = await engine.wait((await engine.start('math', { n: 3 })).runId)
    expect(run.output).toBe(25)
    expect(seen[1]).toEqual({ state: { n: 3 }, previous: 6 })
  })
})

describe('compose()', () => {
  const open = testEngines()

  it('chains process control and troubleshooting with their required params merged', async () => {
    const steps = [
      ...templates.find((t) => t.id === 'process-control')!.actions,
      ...templates.find((t) => t.id === 'troubleshooting')!.actions,
    ]
    const order: string[] = []
    const standIns = Object.fromEntries(
      steps.map((s) => [
        s,
        () => {
          order.push(s)
          return { done: s }
        },
      ]),
    )
    const { engine } = open({ actions: standIns })
    const def = compose(
      'maintenance',
      '1.0.0',
      templateDefinition('process-control', {}),
      templateDefinition('troubleshooting', {}),
    )
    expect(def.params).toEqual({
      equipment_id: expect.objectContaining({ type: 'any', required: true }),
      process_params: expect.objectContaining({ required: true }),
      symptoms: expect.objectContaining({ required: true }),
    })
    expect(def.tasks.analyze_symptoms!.dependsOn).toEqual(['update_records'])
    expect(def.tasks.analyze_symptoms!.retry).toEqual({ maxAttempts: 4, initialDelayMs: 5000, backoff: 2 })
    await engine.register(def)
    const run = await engine.wait(
      (await engine.start('maintenance', { equipment_id: 'p7', process_params: {}, symptoms: 'noise' }))
        .runId,
    )
    expect(run).toMatchObject({ status: 'completed', output: { done: 'implement_solution' } })
    expect(order).toEqual(steps)
  })

  it('prefixes task ids two parts share and renames their references; refuses params of two types', async () => {
    const part = (id: string) =>
      workflow(id, '1.0.0')
        .task('a', 'transform', { value: 1 })
        .task('b', 'transform', (t) => ({ value: t.tasks.a.output }))
        .output('tasks["b"].output')
        .build()
    const def = compose('twice', '1.0.0', part('one'), part('two'))
    expect(Object.keys(def.tasks)).toEqual(['one__a', 'one__b', 'two__a', 'two__b'])
    expect(def.tasks.two__b).toEqual({
      action: 'transform',
      params: { value: '${ tasks.two__a.output }' },
      dependsOn: ['two__a'],
    })
    expect(def.tasks.two__a!.dependsOn).toEqual(['one__b'])
    expect(def.output).toBe('tasks["two__b"].output')
    const { engine } = open()
    await engine.register(def)
    expect((await engine.wait((await engine.start('twice')).runId)).output).toBe(1)
    const typed = (type: 'string' | 'number') =>
      workflow(`p-${type}`, '1.0.0').params({ x: { type } }).task('t', 'noop', {}).build()
    expect(() => compose('bad', '1.0.0', typed('string'), typed('number'))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/param "x"/) }),
    )
  })
})
