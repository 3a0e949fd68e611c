import { ArgumentError, EngineClosedError, ForbiddenError, type WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'

const reads: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'reads',
  version: '1.0.0',
  tasks: { a: { action: 'secretLength', params: { name: 'token' } } },
}

describe('secrets through the worker', () => {
  it("setSecret, listSecrets and deleteSecret reach the worker's engine; a second tab's engine reads them", async () => {
    const db = uniqueDb('secrets')
    const first = engineWorker({ db, store: 'idb', refused: ['eve:setSecret', 'eve:deleteSecret'] })
    const second = engineWorker({ db, store: 'idb' })
    try {
      const tab = connectEngine(first)
      await tab.setSecret('token', 'worker-5ecret')
      await tab.setSecret('a_key', 'another')
      expect(await tab.listSecrets()).toEqual(['a_key', 'token'])

      // Typed errors cross the worker with their class and code, and without the value.
      const bad = await tab.setSecret('bad name', 'worker-5ecret-2').catch((e: unknown) => e)
      expect(bad).toBeInstanceOf(ArgumentError)
      expect(
        JSON.stringify({ message: (bad as Error).message, value: (bad as ArgumentError).value }),
      ).not.toContain('worker-5ecret-2')
      const eve = connectEngine(first, { principal: 'eve' })
      await expect(eve.setSecret('token', 'evil')).rejects.toBeInstanceOf(ForbiddenError)
      await expect(eve.deleteSecret('token')).rejects.toBeInstanceOf(ForbiddenError)
      expect(await eve.listSecrets()).toEqual(['a_key', 'token'])

      const other = connectEngine(second)
      await other.register(reads)
      const run = await other.start('reads')
      expect((await other.wait(run.runId, { timeoutMs: 10_000 })).tasks.a!.output).toBe(
        'worker-5ecret'.length,
      )
      expect(JSON.stringify(await other.history(run.runId))).not.toContain('worker-5ecret')

      await tab.deleteSecret('token')
      expect(await other.listSecrets()).toEqual(['a_key'])
      const after = await other.start('reads')
      expect((await other.wait(after.runId, { timeoutMs: 10_000 })).tasks.a!.output).toBeNull()

      await tab.close()
      await expect(tab.setSecret('token', 'late')).rejects.toBeInstanceOf(EngineClosedError)
      await eve.close()
      await other.close()
    } finally {
      first.terminate()
      second.terminate()
      await deleteDatabase(db)
    }
  })
})
