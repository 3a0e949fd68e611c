import { filter } from 'rxjs'
import { createRunReplica, isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines } from '../support/engine-fixtures'

const testEngine = testEngines()

describe('createRunReplica and limits per action', () => {
  it('follows a run whose task started once its slot came, from a snapshot of an engine without limits', async () => {
    const work = controllable()
    const side = controllable()
    const { engine } = testEngine({
      actions: { work: work.handler, side: side.handler },
      limits: { work: { concurrency: 1 } },
    })
    await engine.register(def({ hold: { action: 'work' } }, { id: 'hold' }))
    await engine.register(
      def({ b: { action: 'side' }, a: { action: 'work', dependsOn: ['b'] }, c: { action: 'side' } }),
    )
    await engine.start('hold')
    await engine.idle()
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf')
    await engine.idle()
    const snapshot = (await engine.runSnapshot(run.runId))!
    // As the engine that had the run before would have taken it: with no limits.
    delete snapshot.state.gated
    const replica = createRunReplica(snapshot)
    // b ends, so a waits for the slot; c ends meanwhile; then the slot comes and a runs.
    side.calls.find((c) => c.ctx.taskId === 'b')!.resolve('b')
    await engine.idle()
    side.calls.find((c) => c.ctx.taskId === 'c')!.resolve('c')
    await engine.idle()
    work.calls[0]!.resolve()
    await engine.idle()
    work.calls[1]!.resolve('a')
    await engine.wait(run.runId)
    for (const event of events.filter((e) => e.runId === run.runId)) expect(replica.apply(event)).toBe(true)
    const final = (await engine.runSnapshot(run.runId))!
    delete final.state.gated
    expect(replica.state).toEqual(final.state)
  })
})
