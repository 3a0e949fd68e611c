import type { WorkflowDefinition } from 'spindle'
import { describe, expect, it } from 'vitest'
import { withTwoTabs } from './engine-worker'

const waiter: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'waiter',
  version: '1.0.0',
  params: { orderId: { type: 'string', required: true } },
  tasks: {
    paid: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == run.input.orderId' },
    },
  },
}

describe('wait-for-event on emitted events through the worker', () => {
  it('an event emitted in one worker ends the wait of a run the other executes', async () => {
    await withTwoTabs('event-waits', async (tab, other) => {
      await tab.register(waiter)
      const mine = await tab.start('waiter', { orderId: 'A' })
      const theirs = await tab.start('waiter', { orderId: 'B' })
      await tab.idle()

      expect(await other.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'w1' })).toEqual([])
      const done = await tab.wait(mine.runId, { timeoutMs: 10_000 })
      expect(done.output).toMatchObject({ paid: { type: 'order.paid', id: 'w1', data: { orderId: 'A' } } })
      expect((await tab.getRun(theirs.runId))!.tasks.paid!.status).toBe('waiting')
      await tab.close()
      await other.close()
    })
  })
})
