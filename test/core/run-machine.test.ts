import { describe, expect, it } from 'vitest'
import { feedRun, machineFor, type RunActor, startRunActor } from '../../src/core/run-machine'
import type { RunEvent, Step } from '../../src/core/run-reducer'
import { compileWorkflow } from '../../src/definition/compile'
import type { CompiledWorkflow } from '../../src/types'
import { def } from '../support/engine-fixtures'

/** Two actors of one run: one takes every event itself (as under an inspector), one is fed past it. */
function twin(wf: CompiledWorkflow) {
  const sides = [true, false].map((inspected) => {
    const actor: RunActor = startRunActor(machineFor(wf), 'r1', 0)
    let emitted: Step | undefined
    actor.on('step', ({ step }) => {
      emitted = step
    })
    const take = () => {
      const step = emitted
      emitted = undefined
      return step
    }
    return { actor, feed: (event: RunEvent) => feedRun(actor, wf, event, take, inspected) }
  })
  return {
    feed(event: RunEvent) {
      const [viaActor, direct] = sides.map((side) => {
        const { records, commands } = side.feed(structuredClone(event))
        return { records, commands }
      })
      expect(direct).toEqual(viaActor)
      const [a, b] = sides.map((side) => side.actor.getSnapshot())
      expect(b!.context).toEqual(a!.context)
      return { snapshot: b!, step: direct! }
    },
  }
}

const failing = (taskId: string, at: number): RunEvent => ({
  type: 'task.failed',
  taskId,
  attempt: 1,
  error: { code: 'ACTION_FAILED', message: 'no' },
  noRetry: true,
  at,
})

describe('feedRun', () => {
  it('reduces task events as the actor would, and the run fails when one fails it', () => {
    const wf = compileWorkflow(
      def({ a: { action: 'noop' }, b: { action: 'noop', dependsOn: ['a'] }, c: { action: 'noop' } }) as never,
    )
    const run = twin(wf)
    run.feed({ type: 'workflow.started', at: 1 } as RunEvent)
    run.feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 2 })
    run.feed({ type: 'task.completed', taskId: 'a', attempt: 1, output: 1, at: 3 })
    // Not accepted (a finished already): nothing to journal or do, nothing changes.
    const late = run.feed({ type: 'task.completed', taskId: 'a', attempt: 1, output: 2, at: 4 })
    expect(late.step).toEqual({ records: [], commands: [] })
    expect(late.snapshot.context.status).toBe('running')
    run.feed({ type: 'task.started', taskId: 'c', attempt: 1, at: 5 })
    const failed = run.feed(failing('c', 6)).snapshot
    expect(failed.context.status).toBe('failed')
    expect(failed.can({ type: 'workflow.cancelled', at: 7 } as RunEvent)).toBe(true)
  })

  it('leaves the actor taking what a paused run takes when a task failure pauses the run', () => {
    const wf = compileWorkflow(def({ a: { action: 'noop', onError: 'pause' } }) as never)
    const run = twin(wf)
    run.feed({ type: 'workflow.started', at: 1 } as RunEvent)
    run.feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 2 })
    const paused = run.feed(failing('a', 3)).snapshot
    expect(paused.context.status).toBe('paused')
    expect(paused.can({ type: 'workflow.resumed', at: 4 } as RunEvent)).toBe(true)
  })
})
