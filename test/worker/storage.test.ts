import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'

const quick = { schemaVersion: '2.0', id: 'quick', version: '1.0.0', tasks: { a: { action: 'noop' } } }

describe('purge, storage and requestPersistence through the worker', () => {
  it('purge and storage reach the worker; requestPersistence is asked on the page', async () => {
    const db = uniqueDb('storage')
    const worker = engineWorker({ db, store: 'idb' })
    try {
      const tab = connectEngine(worker)
      await tab.register(quick)
      const run = await tab.start('quick')
      await tab.wait(run.runId, { timeoutMs: 10_000 })
      expect((await tab.storage()).stores.runs).toEqual({ records: 1 })
      expect(await tab.purge({ status: ['completed'], dryRun: true })).toBe(1)
      expect(await tab.purge({ status: ['completed'] })).toBe(1)
      expect(await tab.getRun(run.runId)).toBeUndefined()
      expect((await tab.storage()).stores.runs).toEqual({ records: 0 })
      await expect(tab.purge({ status: ['running'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      expect(typeof (await tab.requestPersistence())).toBe('boolean')
      await tab.close()
    } finally {
      worker.terminate()
      await deleteDatabase(db)
    }
  })

  it('an engine inside a worker refuses requestPersistence with INVALID_STATE', async () => {
    const worker = new Worker(new URL('./persistence.worker.ts', import.meta.url), { type: 'module' })
    try {
      const answer = await new Promise((resolve) => {
        worker.onmessage = (e) => resolve(e.data)
      })
      expect(answer).toBe('INVALID_STATE')
    } finally {
      worker.terminate()
    }
  })
})
