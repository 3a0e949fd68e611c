import { StorageError } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'

const twoSteps = {
  schemaVersion: '2.0',
  id: 'two',
  version: '1.0.0',
  tasks: { a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] } },
}
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

  it('a run paused on a full disk, and the refused start, reach the page typed', async () => {
    const db = uniqueDb('quota')
    const worker = engineWorker({ db, store: 'memory', quotaAt: 'task.completed' })
    try {
      const tab = connectEngine(worker)
      const alerts: unknown[] = []
      const subscription = tab.alerts$.subscribe((alert) => alerts.push(alert))
      await tab.register(quick)
      await tab.register(twoSteps)
      // The start is written; a's completion is not: the run pauses before b.
      const { runId } = await tab.start('two')
      let view = await tab.getRun(runId)
      for (let i = 0; i < 200 && view?.status !== 'paused'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5))
        view = await tab.getRun(runId)
      }
      expect(view).toMatchObject({
        status: 'paused',
        pauseReason: { code: 'STORAGE_FAILED', reason: 'quota' },
      })
      const refused = await tab.start('quick').catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(StorageError)
      expect(refused).toMatchObject({ code: 'STORAGE_FAILED', reason: 'quota' })
      expect(alerts).toContainEqual(
        expect.objectContaining({ kind: 'storage', reason: 'quota', level: 'critical' }),
      )
      await tab.resume(runId)
      expect((await tab.wait(runId, { timeoutMs: 10_000 })).status).toBe('completed')
      subscription.unsubscribe()
      await tab.close()
    } finally {
      worker.terminate()
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
