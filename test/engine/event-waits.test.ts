import type { Engine, WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngines } from '../support/engine-fixtures'

const DAY = 24 * 60 * 60 * 1000

/** A run that waits for `order.paid` of its own order, then ends. */
const waiter = def(
  {
    paid: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == run.input.orderId' },
    },
  },
  { params: { orderId: { type: 'string', required: true } } },
)

/** The `task.completed` entries of a run that an emitted event made. */
async function deliveries(engine: Engine, runId: string) {
  const history = await engine.history(runId)
  return history.filter(
    (e): e is Extract<WorkflowEvent, { type: 'task.completed' }> =>
      e.type === 'task.completed' && e.emitted !== undefined,
  )
}

describe('wait-for-event with match on emitted events', () => {
  const testEngine = testEngines()

  it('ends the wait of a run whose match is true, with the event as output, and not the others', async () => {
    const { engine, clock } = testEngine()
    await engine.register(waiter)
    const mine = await engine.start('wf', { orderId: 'A' })
    const other = await engine.start('wf', { orderId: 'B' })
    await engine.idle()
    const at = clock.now()

    await engine.emit({ type: 'order.paid', data: { orderId: 'A', total: 3 }, id: 'e1' })
    await engine.idle()

    const done = await engine.wait(mine.runId)
    expect(done.status).toBe('completed')
    expect(done.output).toEqual({
      paid: { type: 'order.paid', data: { orderId: 'A', total: 3 }, id: 'e1', at },
    })
    expect((await engine.getRun(other.runId))!.tasks.paid!.status).toBe('waiting')
  })

  it('still takes a signal, whose payload is the output as before', async () => {
    const { engine } = testEngine()
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await engine.idle()
    await engine.signal(run.runId, 'order.paid', { by: 'signal' })
    expect((await engine.wait(run.runId)).output).toEqual({ paid: { by: 'signal' } })
  })

  it('delivers an event emitted before the wait began, within 24 h, and not one older', async () => {
    const { engine, clock } = testEngine()
    await engine.register(waiter)
    await engine.emit({ type: 'order.paid', data: { orderId: 'old' }, id: 'old' })
    clock.advance(DAY / 2)
    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'a' })
    clock.advance(DAY / 2)
    // `old` is 24 h old now: out of the window. `a` is 12 h old.
    const a = await engine.start('wf', { orderId: 'A' })
    const old = await engine.start('wf', { orderId: 'old' })
    await engine.idle()
    expect((await engine.wait(a.runId)).output).toMatchObject({ paid: { id: 'a', data: { orderId: 'A' } } })
    expect((await engine.getRun(old.runId))!.tasks.paid!.status).toBe('waiting')
  })

  it('emits without any route: it returns no runs and still delivers', async () => {
    const { engine } = testEngine()
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await engine.idle()
    expect(await engine.emit({ type: 'order.paid', data: { orderId: 'A' } })).toEqual([])
    await engine.idle()
    const output = (await engine.wait(run.runId)).output as { paid: { id: string } }
    // An event emitted without an id gets one: the wait's output and the journal name it.
    expect(output.paid.id).toMatch(/^event-/)
  })

  it('gives one event to one wait of a run only; the next wait takes the next event', async () => {
    const { engine } = testEngine()
    await engine.register(
      def({
        first: { action: 'wait-for-event', params: { event: 'tick', match: 'true' } },
        second: { action: 'wait-for-event', params: { event: 'tick', match: 'true' } },
        third: { action: 'wait-for-event', params: { event: 'tick', match: 'true' }, dependsOn: ['first'] },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.emit({ type: 'tick', id: 't1' })
    await engine.idle()
    let view = (await engine.getRun(run.runId))!
    // Two waits open at once: the one first in definition order takes it, the other goes on waiting;
    // `third` begins after `first` and finds `t1` in the log, taken already.
    expect(view.tasks.first!.status).toBe('completed')
    expect(view.tasks.second!.status).toBe('waiting')
    expect(view.tasks.third!.status).toBe('waiting')

    await engine.emit({ type: 'tick', id: 't2' })
    await engine.emit({ type: 'tick', id: 't3' })
    await engine.idle()
    view = (await engine.wait(run.runId))!
    const ids = (await deliveries(engine, run.runId)).map((e) => [e.taskId, (e.output as { id: string }).id])
    expect(ids).toEqual([
      ['first', 't1'],
      ['second', 't2'],
      ['third', 't3'],
    ])
  })

  it('gives one event to every run that waits for it', async () => {
    const { engine } = testEngine()
    await engine.register(waiter)
    const runs = await Promise.all([1, 2, 3].map(() => engine.start('wf', { orderId: 'A' })))
    await engine.idle()
    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'shared' })
    await engine.idle()
    for (const run of runs)
      expect((await engine.wait(run.runId)).output).toMatchObject({ paid: { id: 'shared' } })
  })

  it('delivers an event id once: the same id emitted again is not a second event', async () => {
    const { engine } = testEngine()
    await engine.register(
      def({
        first: { action: 'wait-for-event', params: { event: 'tick', match: 'true' } },
        second: { action: 'wait-for-event', params: { event: 'tick', match: 'true' }, dependsOn: ['first'] },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.emit({ type: 'tick', id: 'same', data: 1 })
    await engine.emit({ type: 'tick', id: 'same', data: 2 })
    await engine.idle()
    const view = (await engine.getRun(run.runId))!
    expect(view.tasks.first!.status).toBe('completed')
    expect(view.tasks.second!.status).toBe('waiting')
  })

  it('times out as before when no event matches in time', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def({
        w: { action: 'wait-for-event', params: { event: 'tick', match: 'event.data > 5', timeoutMs: 1000 } },
      }),
    )
    const run = await engine.start('wf')
    await engine.idle()
    await engine.emit({ type: 'tick', data: 1 })
    await engine.idle()
    clock.advance(1000)
    await engine.idle()
    const view = (await engine.getRun(run.runId))!
    expect(view.status).toBe('failed')
    expect(view.tasks.w!.error?.code).toBe('TIMEOUT')
  })
})

describe('wait-for-event match at register', () => {
  const testEngine = testEngines()

  it('refuses a bad match at its path, and a match under forEach, registering nothing', async () => {
    const { engine } = testEngine()
    const bad = def({
      a: { action: 'wait-for-event', params: { event: 'x', match: 'event.data.(' } },
      b: { action: 'wait-for-event', params: { event: 'x', match: 'nope == 1' } },
      c: { action: 'wait-for-event', params: { event: 'x', match: 3 } },
      d: { action: 'wait-for-event', params: { event: 'x', match: '${ true }' } },
      e: { action: 'wait-for-event', params: { event: 'x', match: 'true' }, forEach: '${ [1, 2] }' },
    })
    const error = await engine.register(bad).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'DEFINITION_INVALID' })
    const paths = (error as { issues: { path: string }[] }).issues.map((issue) => issue.path)
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(paths).toContain(`tasks.${id}.params.match`)
    expect(await engine.listDefinitions()).toEqual([])
  })
})
