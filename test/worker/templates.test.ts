import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase } from './engine-worker'

describe('templates through the default worker', () => {
  it('lists the templates, instantiates the approval chain on IndexedDB and runs it to a decision', async () => {
    const name = `templates-${crypto.randomUUID()}`
    const engine = connectEngine(undefined, { engine: { store: { name } } })
    try {
      expect((await engine.listTemplates()).map((t) => t.id)).toContain('approval-chain')
      await expect(engine.instantiate('approval-chain', { level1_approver: 'alice' })).rejects.toMatchObject({
        name: 'InputError',
        code: 'INPUT_INVALID',
        issues: [expect.objectContaining({ path: 'level2_approver', code: 'required' })],
      })
      const info = await engine.instantiate(
        'approval-chain',
        { level1_approver: 'alice', level2_approver: 'bob' },
        { id: 'budget', name: 'Budget approval' },
      )
      expect(info).toMatchObject({ id: 'budget', version: '1.0.0', name: 'Budget approval' })
      const { runId } = await engine.start('budget', { details: { amount: 900 } })
      await engine.idle()
      await engine.approve(runId, 'approve', { by: 'alice', comment: 'ok' })
      await expect(engine.wait(runId, { timeoutMs: 5000 })).resolves.toMatchObject({
        status: 'completed',
        output: { approved: true, by: 'alice' },
      })
    } finally {
      await engine.close()
      await deleteDatabase(name)
    }
  })
})
