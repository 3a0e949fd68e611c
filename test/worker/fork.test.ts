import type { WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, executionLog, uniqueDb } from './engine-worker'

/** `first` and `second` record their run, `gate` waits for the signal `go`. */
const gated: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'gated',
  version: '1.0.0',
  tasks: {
    first: { action: 'record', params: { value: '${ input.tag }' } },
    second: { action: 'record', dependsOn: ['first'] },
    gate: { action: 'wait-for-event', dependsOn: ['second'], params: { event: 'go' } },
  },
  params: { tag: { type: 'string', default: 'one' } },
  output: 'tasks.gate.output',
}

describe('fork through the worker', () => {
  it('forks a run from the page, and forks the fork again in a new worker on the same database', async () => {
    const db = uniqueDb('fork')
    const log = executionLog(db)
    const first = engineWorker({ db, store: 'idb' })
    const ann = connectEngine(first, { principal: 'ann' })
    try {
      await ann.register(gated)
      await ann.start('gated', {}, { runId: 'src' })
      await ann.signal('src', 'go', 'source')
      expect(await ann.wait('src', { timeoutMs: 5000 })).toMatchObject({
        status: 'completed',
        output: 'source',
      })
      const afterFirst = (await ann.checkpoints('src')).find((c) => c.reason === 'task first completed')!
      const copy = await ann.fork('src', afterFirst.checkpointId, { runId: 'copy', input: { tag: 'two' } })
      expect(copy.principal).toBe('ann')
      await ann.signal('copy', 'go', 'copied')
      expect(await ann.wait('copy', { timeoutMs: 5000 })).toMatchObject({
        status: 'completed',
        output: 'copied',
        input: { tag: 'two' },
        tasks: { first: { output: 'one' }, second: { output: 'second' } },
      })
      const [forked] = await ann.history('copy')
      expect(forked).toMatchObject({ type: 'workflow.forked', fromRunId: 'src', by: 'ann' })
      await ann.close()
      first.terminate()

      const second = engineWorker({ db, store: 'idb' })
      const bob = connectEngine(second, { principal: 'bob' })
      const afterSecond = (await bob.checkpoints('copy')).find((c) => c.reason === 'task second completed')!
      expect(afterSecond.completedTasks).toEqual(['first', 'second'])
      await bob.fork('copy', afterSecond.checkpointId, { runId: 'copy2' })
      await bob.signal('copy2', 'go', 'again')
      expect(await bob.wait('copy2', { timeoutMs: 5000 })).toMatchObject({
        status: 'completed',
        output: 'again',
      })
      // `first` ran in the source only, `second` in the source and the first fork.
      expect(log.executions.map((e) => e.taskId).sort()).toEqual(['first', 'second', 'second'])
      await bob.close()
      second.terminate()
    } finally {
      log.close()
      first.terminate()
      await deleteDatabase(db)
    }
  })
})
