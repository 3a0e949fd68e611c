import type { WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'

/** The worker's engine has the `order` machine (test/support/order-machine.ts) in its options. */
const shipping: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'shipping',
  version: '1.0.0',
  tasks: {
    order: { action: 'state-machine', params: { machine: 'order', input: { orderId: 'W-1', total: 10 } } },
  },
  output: 'tasks.order.output',
}

describe('a state machine in a worker engine', () => {
  it('takes the page’s signals, and a new worker goes on from its snapshot after the first one dies', async () => {
    const db = uniqueDb('machine')
    const first = engineWorker({ db, store: 'idb' })
    let second: Worker | undefined
    try {
      const engine = connectEngine(first)
      await engine.register(shipping)
      // validate() on the page knows the worker's actions, not its machines: register checks names.
      await expect(
        engine.register({
          ...shipping,
          version: '2.0.0',
          tasks: { order: { action: 'state-machine', params: { machine: 'oder' } } },
        }),
      ).rejects.toMatchObject({
        code: 'DEFINITION_INVALID',
        issues: [expect.objectContaining({ code: 'unknown_machine' })],
      })
      const { runId } = await engine.start('shipping')
      await engine.signal(runId, 'pay', { amount: 10 })
      await expect
        .poll(async () => (await engine.history(runId)).some((e) => e.type === 'machine.transitioned'))
        .toBe(true)

      first.terminate()

      second = engineWorker({ db, store: 'idb' })
      const next = connectEngine(second)
      await next.signal(runId, 'ship', { carrier: 'GLS' })
      await next.signal(runId, 'deliver')
      const view = await next.wait(runId, { timeoutMs: 10_000 })
      expect(view).toMatchObject({
        status: 'completed',
        output: { outcome: 'delivered', carrier: 'GLS', history: ['pay', 'ship', 'deliver'] },
      })
      await next.close()
    } finally {
      first.terminate()
      second?.terminate()
      await deleteDatabase(db)
    }
  })
})
