import { connectEngine } from 'spindle/client'
import { describe, expect, it, vi } from 'vitest'
import { deleteDatabase } from './engine-worker'

describe('connectEngine() without a worker', () => {
  it('starts the default worker (built-in actions, IndexedDB "spindle") and terminates it on close()', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate')
    const engine = connectEngine()
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'builtin',
        version: '1.0.0',
        params: { a: { type: 'number', required: true } },
        tasks: {
          first: { action: 'noop' },
          sum: { action: 'transform', dependsOn: ['first'], params: { value: '${ input.a + 1 }' } },
        },
        output: 'tasks.sum.output',
      })
      const run = await engine.start('builtin', { a: 41 })
      await expect(engine.wait(run.runId, { timeoutMs: 5000 })).resolves.toMatchObject({
        status: 'completed',
        output: 42,
      })
    } finally {
      await engine.close()
      expect(terminate).toHaveBeenCalledTimes(1)
      terminate.mockRestore()
      await deleteDatabase('spindle')
    }
  })
})
