import type { WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, executionLog, uniqueDb } from './engine-worker'

/** The child: `c` hangs in the first worker. */
const child: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'child',
  version: '1.0.0',
  tasks: { c: { action: 'record', params: { hang: true, value: 'from the child' } } },
  output: 'tasks.c.output',
}
const parent: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'parent',
  version: '1.0.0',
  tasks: {
    a: { action: 'record' },
    sub: { action: 'subworkflow', dependsOn: ['a'], params: { workflow: 'child' } },
  },
  output: 'tasks.sub.output',
}

describe('a worker that dies in the middle of a child run', () => {
  it('leaves parent and child to a new worker: the same child finishes, no second child starts', async () => {
    const db = uniqueDb('child-crash')
    const log = executionLog(db)
    const first = engineWorker({ db, store: 'idb', hang: true })
    let second: Worker | undefined
    try {
      const engine = connectEngine(first)
      await engine.register(child)
      await engine.register(parent)
      await engine.start('parent', {}, { runId: 'p' })
      await expect.poll(() => log.executions.map((e) => e.taskId)).toEqual(['a', 'c'])
      await expect.poll(async () => (await engine.getRun('p'))?.tasks.sub?.status).toBe('waiting')

      first.terminate()

      second = engineWorker({ db, store: 'idb' })
      const recovered = connectEngine(second)
      const done = await recovered.wait('p', { timeoutMs: 10_000 })
      expect(done).toMatchObject({ status: 'completed', output: 'from the child', children: ['p/sub'] })
      await expect.poll(() => log.executions.map((e) => e.taskId)).toEqual(['a', 'c', 'c'])
      const [firstC, againC] = log.executions.filter((e) => e.taskId === 'c')
      expect(againC!.key).toBe(firstC!.key)
      expect(againC!.key).toBe('p/sub:c')
      const parentHistory = await recovered.history('p')
      expect(parentHistory.filter((e) => e.type === 'child.started')).toHaveLength(1)
      expect((await recovered.history('p/sub')).filter((e) => e.type === 'workflow.started')).toHaveLength(1)
      expect((await recovered.listRuns({ parentRunId: 'p' })).runs.map((r) => r.runId)).toEqual(['p/sub'])
      await recovered.close()
    } finally {
      log.close()
      first.terminate()
      second?.terminate()
      await deleteDatabase(db)
    }
  })
})
