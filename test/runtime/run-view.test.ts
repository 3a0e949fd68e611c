import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'

describe('runView', () => {
  it('lists the tasks in topological order, each view with a table of its own', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(
      def({
        late: { action: 'noop', dependsOn: ['first', 'held'] },
        held: { action: 'slow', dependsOn: ['first'] },
        first: { action: 'noop' },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const during = (await engine.getRun(runId))!
    expect(Object.keys(during.tasks)).toEqual(['first', 'held', 'late'])
    expect(during.tasks.first).toMatchObject({ status: 'completed', attempts: 1, output: null })
    expect(during.tasks.held).toEqual({ status: 'running', attempts: 1, startedAt: expect.any(Number) })
    expect(during.tasks.late).toEqual({ status: 'pending', attempts: 0 })
    expect(during.progress.running).toEqual([{ id: 'held', startedAt: during.tasks.held!.startedAt }])

    slow.calls[0]!.resolve({ n: 1 })
    const done = await engine.wait(runId)
    expect(done).toEqual(await engine.getRun(runId))
    expect(done.tasks).not.toBe((await engine.getRun(runId))!.tasks)
    expect(done.tasks.held).toMatchObject({ status: 'completed', output: { n: 1 } })
    // The earlier view is a snapshot: the run went on without it.
    expect(during.tasks.late).toEqual({ status: 'pending', attempts: 0 })
    expect(during.status).toBe('running')
    await engine.close()
  })
})
