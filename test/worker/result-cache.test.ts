import type { WorkflowDefinition } from 'spindle'
import { describe, expect, it } from 'vitest'
import { withTwoTabs } from './engine-worker'

const cached: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'cached',
  version: '1.0.0',
  tasks: { t: { action: 'transform', params: { value: '${ input.n }' }, cache: { ttlMs: 3_600_000 } } },
}

describe('the result cache through the worker', () => {
  it("a second tab's run completes from the entry the first tab's run made; clearCache empties it", async () => {
    await withTwoTabs('cache', async (tab, other) => {
      await tab.register(cached)
      const source = await tab.start('cached', { n: 3 }, { runId: 'source' })
      expect((await tab.wait(source.runId, { timeoutMs: 10_000 })).tasks.t!.output).toBe(3)

      const hit = await other.start('cached', { n: 3 }, { runId: 'hit' })
      const hitView = await other.wait(hit.runId, { timeoutMs: 10_000 })
      expect(hitView.tasks.t).toMatchObject({ output: 3, cached: { fromRunId: 'source', taskId: 't' } })
      const hitEntry = (await other.history('hit')).find((entry) => entry.type === 'task.cached')
      expect(hitEntry).toMatchObject({ fromRunId: 'source', fromTaskId: 't', output: 3 })

      expect(await other.clearCache({ action: 'transform' })).toBe(1)
      const again = await tab.start('cached', { n: 3 }, { runId: 'again' })
      await tab.wait(again.runId, { timeoutMs: 10_000 })
      const types = (await tab.history('again')).map((entry) => entry.type)
      expect(types).toContain('task.completed')
      expect(types).not.toContain('task.cached')
      await tab.close()
      await other.close()
    })
  })
})
