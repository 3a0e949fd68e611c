import { ForbiddenError, InvalidStateError, type WorkflowDefinition } from 'spindle'
import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, engineWorker, uniqueDb } from './engine-worker'

/** alice and bob must both approve; then `after` runs. */
const signOff: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'sign-off',
  version: '1.0.0',
  tasks: {
    both: {
      action: 'approval',
      params: { title: 'Sign off', levels: [{ approvers: ['alice', 'bob'], quorum: 'all' }] },
    },
    after: { action: 'record', dependsOn: ['both'] },
  },
}

describe('an approval in a worker that dies mid-wait', () => {
  it('keeps the vote cast before the kill; a new worker takes the next and finishes the run', async () => {
    const db = uniqueDb('approval-crash')
    const first = engineWorker({ db, store: 'idb' })
    let second: Worker | undefined
    try {
      const engine = connectEngine(first)
      await engine.register(signOff)
      const run = await engine.start('sign-off')
      await expect.poll(async () => (await engine.getRun(run.runId))?.tasks.both?.status).toBe('waiting')
      await engine.approve(run.runId, 'both', { by: 'alice', comment: 'from the first tab' })

      first.terminate()

      second = engineWorker({ db, store: 'idb' })
      const recovered = connectEngine(second)
      // Typed errors cross the worker with their class and code.
      const forbidden = await recovered.approve(run.runId, 'both', { by: 'mallory' }).catch((e: unknown) => e)
      expect(forbidden).toBeInstanceOf(ForbiddenError)
      expect((forbidden as ForbiddenError).code).toBe('FORBIDDEN')
      const again = await recovered.approve(run.runId, 'both', { by: 'alice' }).catch((e: unknown) => e)
      expect(again).toBeInstanceOf(InvalidStateError)
      await recovered.approve(run.runId, 'both', { by: 'bob' })
      const view = await recovered.wait(run.runId, { timeoutMs: 10_000 })
      expect(view.status).toBe('completed')
      expect(view.tasks.both!.output).toMatchObject({
        approved: true,
        by: 'bob',
        votes: [
          { by: 'alice', decision: 'approved', comment: 'from the first tab' },
          { by: 'bob', decision: 'approved' },
        ],
      })
      const history = await recovered.history(run.runId)
      expect(history.filter((e) => e.type === 'approval.voted')).toHaveLength(2)
      expect(history.filter((e) => e.type === 'approval.required')).toHaveLength(1)
      await recovered.close()
    } finally {
      first.terminate()
      second?.terminate()
      await deleteDatabase(db)
    }
  })
})
