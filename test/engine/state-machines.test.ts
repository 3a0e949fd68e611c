import { createEngine, type Engine, memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { createMachine } from 'xstate'
import { faultyStore } from '../store/faulty-store'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngines } from '../support/engine-fixtures'
import { orderMachine } from '../support/order-machine'

/** Ship an order: its `order` task runs the machine until it is delivered or cancelled. */
const shipping = def(
  {
    order: {
      action: 'state-machine',
      params: { machine: 'order', input: { orderId: '${ input.orderId }', total: 100 } },
    },
    receipt: {
      action: 'transform',
      dependsOn: ['order'],
      params: { value: '${ tasks.order.output.outcome }' },
    },
  },
  { output: 'tasks.order.output' },
)

/** A machine whose `boom` event throws in a transition action. */
const fragile = createMachine({
  initial: 'idle',
  states: {
    idle: {
      on: {
        boom: {
          actions: () => {
            throw new Error('the handler broke')
          },
        },
      },
    },
  },
})

describe('the state-machine action', () => {
  const open = testEngines()
  const machineEngine = () => open({ machines: { order: orderMachine, fragile } })

  it('takes signals as events, journals each transition, and ends with the final state output', async () => {
    const { engine } = machineEngine()
    await engine.register(shipping)
    const { runId } = await engine.start('wf', { orderId: 'A-1' })
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.order!.status).toBe('waiting')

    await engine.signal(runId, 'pay', { amount: 60 })
    await engine.signal(runId, 'pay', { amount: 40 })
    await engine.signal(runId, 'ship', { carrier: 'DHL' })
    await engine.signal(runId, 'deliver')
    const view = await engine.wait(runId)
    expect(view.status).toBe('completed')
    expect(view.output).toEqual({
      outcome: 'delivered',
      carrier: 'DHL',
      history: ['pay', 'pay', 'ship', 'deliver'],
    })
    expect(view.tasks.receipt!.output).toBe('delivered')

    const history = await engine.history(runId)
    const transitions = history.filter((e) => e.type === 'machine.transitioned')
    expect(transitions.map((e) => [e.event, e.status, e.value])).toEqual([
      ['pay', 'active', 'pending'],
      ['pay', 'active', 'paid'],
      ['ship', 'active', 'shipped'],
      ['deliver', 'done', undefined],
    ])
    // Each transition is journaled right after the signal it took, with the machine's snapshot.
    for (const t of transitions)
      expect(history[t.seq - 2]).toMatchObject({ type: 'signal.received', name: t.event })
    expect(transitions[1]).toMatchObject({
      snapshot: { value: 'paid', context: { paid: 100 } },
      accepts: ['ship', 'cancel'],
    })
    expect(history.filter((e) => e.type === 'task.started' && e.taskId === 'order')).toHaveLength(1)
  })

  it('keeps a signal its current state does not take, and delivers it once a later state takes it', async () => {
    const { engine } = machineEngine()
    await engine.register(shipping)
    const { runId } = await engine.start('wf', { orderId: 'A-2' })
    await engine.idle()
    await engine.signal(runId, 'ship', { carrier: 'early' })
    let history = await engine.history(runId)
    expect(history.at(-1)).toMatchObject({ type: 'signal.received', name: 'ship', buffered: true })
    expect(history.some((e) => e.type === 'machine.transitioned')).toBe(false)
    expect((await engine.getRun(runId))!.tasks.order!.status).toBe('waiting')

    // Paid in full, the order takes `ship`: the kept signal moves it on in the same write.
    await engine.signal(runId, 'pay', { amount: 100 })
    history = await engine.history(runId)
    const shipSeq = history.find((e) => e.type === 'signal.received' && e.name === 'ship')!.seq
    expect(history.slice(-3)).toMatchObject([
      { type: 'signal.received', name: 'pay' },
      { type: 'machine.transitioned', event: 'pay', value: 'paid' },
      { type: 'machine.transitioned', event: 'ship', value: 'shipped', signal: shipSeq },
    ])
    await engine.signal(runId, 'deliver')
    expect((await engine.wait(runId)).output).toEqual({
      outcome: 'delivered',
      carrier: 'early',
      history: ['pay', 'ship', 'deliver'],
    })
  })

  it('takes signals sent before the machine started waiting, oldest first', async () => {
    const gate = controllable()
    const { engine } = open({ machines: { order: orderMachine }, actions: { gate: gate.handler } })
    await engine.register(
      def({
        gate: { action: 'gate' },
        order: {
          action: 'state-machine',
          dependsOn: ['gate'],
          params: { machine: 'order', input: { orderId: 'A-4', total: 10 } },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.signal(runId, 'pay', { amount: 10 })
    await engine.signal(runId, 'ship', { carrier: 'first' })
    await engine.signal(runId, 'ship', { carrier: 'second' })
    gate.calls[0]!.resolve('open')
    await engine.idle()
    const view = await engine.getRun(runId)
    expect(view!.tasks.order!.status).toBe('waiting')
    const transitions = (await engine.history(runId)).filter((e) => e.type === 'machine.transitioned')
    expect(transitions.map((e) => [e.event, e.value])).toEqual([
      ['pay', 'paid'],
      ['ship', 'shipped'],
    ])
    // The second `ship` stays kept: the shipped order takes only `deliver`.
    await engine.signal(runId, 'deliver')
    expect((await engine.wait(runId)).output).toMatchObject({ order: { carrier: 'first' } })
  })

  it('journals a signal and the transition it made in one write: a failed write loses both, and the signal can be sent again', async () => {
    const inner = memoryStore()
    const store = faultyStore(inner, [])
    const { engine } = open({ store, machines: { order: orderMachine } })
    await engine.register(shipping)
    const { runId } = await engine.start('wf', { orderId: 'A-5' })
    await engine.idle()
    store.inject({ method: 'commit', entryType: 'machine.transitioned', at: 'before' })
    await expect(engine.signal(runId, 'pay', { amount: 100 })).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    })
    const stored = await inner.readJournal(runId)
    expect(stored.some((e) => e.type === 'signal.received' || e.type === 'machine.transitioned')).toBe(false)
    // The run paused at the failed write; the machine is where it was before the signal.
    const view = (await engine.getRun(runId))!
    expect(view.status).toBe('paused')
    await engine.resume(runId)
    await engine.signal(runId, 'pay', { amount: 100 })
    await engine.signal(runId, 'cancel')
    expect((await engine.wait(runId)).output).toEqual({
      outcome: 'cancelled',
      refund: 100,
      history: ['pay', 'cancel'],
    })
  })

  it('applies concurrent signals one after the other, each on the state the previous one left', async () => {
    const { engine } = machineEngine()
    await engine.register(shipping)
    const { runId } = await engine.start('wf', { orderId: 'A-3' })
    await engine.idle()
    await Promise.all([
      engine.signal(runId, 'pay', { amount: 100 }),
      engine.signal(runId, 'ship', { carrier: 'UPS' }),
      engine.signal(runId, 'deliver'),
    ])
    expect((await engine.wait(runId)).output).toMatchObject({ outcome: 'delivered', carrier: 'UPS' })
  })

  it('fails the task with MACHINE_FAILED when the machine throws; a retry starts it over', async () => {
    const { engine } = machineEngine()
    await engine.register(
      def({
        m: {
          action: 'state-machine',
          params: { machine: 'fragile' },
          retry: { maxAttempts: 2, initialDelayMs: 0 },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    await engine.signal(runId, 'boom')
    await engine.idle()
    const retried = await engine.getRun(runId)
    expect(retried!.tasks.m).toMatchObject({ status: 'waiting', attempts: 2 })
    await engine.signal(runId, 'boom')
    const view = await engine.wait(runId)
    expect(view.status).toBe('failed')
    expect(view.tasks.m!.error).toMatchObject({
      code: 'MACHINE_FAILED',
      message: expect.stringContaining('the handler broke'),
    })
    expect(view.error).toMatchObject({ code: 'TASK_FAILED', taskId: 'm' })
  })

  it('refuses a literal unknown machine at register, with the name it likely means, and stores nothing', async () => {
    const { engine } = machineEngine()
    const bad = def({ m: { action: 'state-machine', params: { machine: 'ordr' } } })
    await expect(engine.register(bad)).rejects.toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [
        expect.objectContaining({
          path: 'tasks.m.params.machine',
          code: 'unknown_machine',
          message: expect.stringContaining('did you mean "order"?'),
        }),
      ],
    })
    const underForEach = def({
      m: { action: 'state-machine', forEach: '[1, 2]', params: { machine: 'order' } },
    })
    expect(engine.validate(underForEach).issues).toEqual([
      expect.objectContaining({ path: 'tasks.m.forEach', code: 'unsupported' }),
    ])
    expect(await engine.listDefinitions()).toEqual([])
  })

  it('fails a task whose machine name, computed at run time, is unknown with INPUT_INVALID, not retried', async () => {
    const { engine } = machineEngine()
    await engine.register(
      def({
        m: { action: 'state-machine', params: { machine: '${ input.kind }' }, retry: { maxAttempts: 3 } },
      }),
    )
    const view = await engine.wait((await engine.start('wf', { kind: 'parcel' })).runId)
    expect(view.tasks.m).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'INPUT_INVALID' } })
    expect(view.tasks.m!.error!.message).toContain('No state machine "parcel"')
  })

  it('refuses machines that are not XState machines at createEngine', () => {
    expect(() => createEngine({ machines: { order: { states: {} } as never } })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('machines["order"]'),
      }),
    )
  })
})

describe('state machines in IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (name: string, machines: Record<string, typeof orderMachine> = { order: orderMachine }) => {
    const engine = createEngine({ store: temp.open(name), clock: simulatedClock(), machines })
    engines.push(engine)
    return engine
  }

  it('a reload in the middle resumes the machine where it was', async () => {
    const name = temp.open().name
    const first = open(name)
    await first.register(shipping)
    const { runId } = await first.start('wf', { orderId: 'B-1' })
    await first.idle()
    await first.signal(runId, 'pay', { amount: 100 })
    await first.close()

    const second = open(name)
    await second.signal(runId, 'ship', { carrier: 'DPD' })
    await second.signal(runId, 'deliver')
    const view = await second.wait(runId)
    expect(view.output).toEqual({ outcome: 'delivered', carrier: 'DPD', history: ['pay', 'ship', 'deliver'] })
    const history = await second.history(runId)
    // The machine was not started again: it went on from the journaled snapshot.
    expect(history.filter((e) => e.type === 'task.started')).toHaveLength(2)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })

  it('an engine without the machine fails the task at its next signal, rather than losing the signal', async () => {
    const name = temp.open().name
    const first = open(name)
    await first.register(shipping)
    const { runId } = await first.start('wf', { orderId: 'B-2' })
    await first.idle()
    await first.close()

    const second = open(name, {})
    await second.signal(runId, 'pay', { amount: 5 })
    const view = await second.wait(runId)
    expect(view.status).toBe('failed')
    expect(view.tasks.order!.error).toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining('No state machine "order"'),
    })
    expect((await second.history(runId)).some((e) => e.type === 'signal.received' && e.name === 'pay')).toBe(
      true,
    )
  })
})
