import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { engineWorker, executionLog, uniqueDb } from './engine-worker'

describe('limits in a worker', () => {
  it("the worker's engine takes limits as JSON configuration and holds them across the page's runs", async () => {
    const db = uniqueDb('limits')
    const log = executionLog(db)
    const worker = engineWorker({ db, store: 'memory', hang: true, limits: { record: { concurrency: 1 } } })
    const engine = connectEngine(worker)
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'one',
        version: '1.0.0',
        tasks: { a: { action: 'record', params: { hang: true } } },
      })
      const first = await engine.start('one')
      const second = await engine.start('one')
      await expect.poll(() => log.executions.length).toBe(1)
      expect((await engine.getRun(second.runId))!.tasks.a!.status).toBe('pending')
      expect(log.executions[0]!.key).toBe(`${first.runId}:a`)
      // The hanging attempt ends with its run: the slot goes to the waiting run.
      await engine.cancel(first.runId)
      await expect
        .poll(() => log.executions.map((e) => e.key))
        .toEqual([`${first.runId}:a`, `${second.runId}:a`])
      expect((await engine.getRun(second.runId))!.tasks.a!.status).toBe('running')
    } finally {
      await engine.close()
      worker.terminate()
      log.close()
    }
  })
})
