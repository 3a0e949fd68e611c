import type { WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, executionLog, uniqueDb } from './engine-worker'

/** a → b → c (hangs in the first worker) → d */
const pipeline: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'pipeline',
  version: '1.0.0',
  tasks: {
    a: { action: 'record' },
    b: { action: 'record', dependsOn: ['a'] },
    c: { action: 'record', dependsOn: ['b'], params: { hang: true } },
    d: { action: 'record', dependsOn: ['c'] },
  },
}

describe('a worker that dies mid-run', () => {
  it('leaves the run to a new worker on the same database: it finishes, completed tasks do not run again', async () => {
    const db = uniqueDb('crash')
    const log = executionLog(db)
    const first = engineWorker({ db, store: 'idb', hang: true })
    let second: Worker | undefined
    try {
      const engine = connectEngine(first)
      await engine.register(pipeline)
      const run = await engine.start('pipeline')
      await expect.poll(() => log.executions.map((e) => e.taskId)).toEqual(['a', 'b', 'c'])
      expect((await engine.getRun(run.runId))?.tasks).toMatchObject({
        a: { status: 'completed' },
        b: { status: 'completed' },
        c: { status: 'running' },
      })

      first.terminate()

      second = engineWorker({ db, store: 'idb' })
      const recovered = connectEngine(second)
      const view = await recovered.wait(run.runId, { timeoutMs: 10_000 })
      expect(view).toMatchObject({
        status: 'completed',
        tasks: {
          a: { status: 'completed' },
          b: { status: 'completed' },
          c: { status: 'completed' },
          d: { status: 'completed' },
        },
      })
      // c was in flight: it runs again, under the same idempotency key; a and b do not. The log
      // comes on a BroadcastChannel, which may deliver after wait()'s answer on the worker's port.
      await expect.poll(() => log.executions.map((e) => e.taskId)).toEqual(['a', 'b', 'c', 'c', 'd'])
      const [firstC, againC] = log.executions.filter((e) => e.taskId === 'c')
      expect(againC!.key).toBe(firstC!.key)
      expect((await recovered.history(run.runId)).map((e) => e.type)).toContain('workflow.recovered')
      await recovered.close()
    } finally {
      log.close()
      first.terminate()
      second?.terminate()
      await deleteDatabase(db)
    }
  })
})
