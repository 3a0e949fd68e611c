import { ArgumentError, type WorkflowDefinition } from 'spindle'
import { describe, expect, it } from 'vitest'
import { withTwoTabs } from './engine-worker'

const echo: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'echo',
  version: '1.0.0',
  params: { id: { type: 'string', required: true } },
  tasks: { a: { action: 'transform', params: { value: '${ input.id }' } } },
}

describe('event routes through the worker', () => {
  it('route, listRoutes, emit and unroute reach the engine; two tabs emitting one event start one run', async () => {
    await withTwoTabs('routes', async (tab, other) => {
      await tab.register(echo)
      await tab.route({ id: 'r', event: 'order.*', workflow: 'echo', input: { id: '${ event.data.id }' } })
      await expect(tab.route({ event: 'x', workflow: 'echo', when: '(' })).rejects.toBeInstanceOf(
        ArgumentError,
      )
      expect((await other.listRoutes()).map((r) => r.id)).toEqual(['r'])

      const [a, b] = await Promise.all([
        tab.emit({ type: 'order.paid', data: { id: 'A-1' }, id: 'evt-1' }),
        other.emit({ type: 'order.paid', data: { id: 'A-1' }, id: 'evt-1' }),
      ])
      expect([...a, ...b].map((r) => r.runId)).toEqual(['route:r:evt-1'])
      expect((await tab.wait('route:r:evt-1', { timeoutMs: 10_000 })).tasks.a!.output).toBe('A-1')

      await other.unroute('r')
      expect(await tab.emit({ type: 'order.paid', data: { id: 'A-2' } })).toEqual([])
      await tab.close()
      await other.close()
    })
  })
})
