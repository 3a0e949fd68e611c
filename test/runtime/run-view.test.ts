import { computeHealth, computeProgress } from 'spindle'
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

  it("gives the progress and health of the run's state, its tasks in the table's order", async () => {
    const slow = controllable()
    const { engine, clock } = testEngine({ actions: { slow: slow.handler } })
    // The run's table is in the definition's order, the view's in topological order.
    await engine.register(
      def({
        z: { action: 'slow', name: 'Zed', dependsOn: ['b'] },
        b: { action: 'noop', name: 'Bee' },
        m: { action: 'slow', dependsOn: ['b'] },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    clock.advance(250)
    const view = (await engine.getRun(runId))!
    const { state } = (await engine.runSnapshot(runId))!
    const names = new Map([
      ['b', 'Bee'],
      ['z', 'Zed'],
    ])
    expect(view.progress.tasks.map((t) => t.id)).toEqual(['z', 'b', 'm'])
    expect(view.progress.running).toHaveLength(2)
    expect(view.progress).toEqual(computeProgress(state, names, clock.now()))
    expect(view.health).toEqual(computeHealth(state, clock.now()))
    for (const call of slow.calls) call.resolve(null)
    const done = await engine.wait(runId)
    const ended = (await engine.runSnapshot(runId))!.state
    expect(done.progress).toEqual(computeProgress(ended, names, clock.now()))
    expect(done.health).toEqual(computeHealth(ended, clock.now()))
    await engine.close()
  })
})

describe('runView: what a task waits for', () => {
  it('says it for each kind of wait, as data the view owns, and not once the task goes on', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def({
        nap: { action: 'delay', params: { ms: 60_000 } },
        hear: { action: 'wait-for-event', params: { event: 'go', timeoutMs: 30_000 } },
        ok: {
          action: 'approval',
          params: {
            title: 'Ship it?',
            levels: [
              { approvers: ['ann', 'bob'], quorum: 2, timeoutMs: 10_000, onTimeout: 'escalate' },
              { groups: ['ops'] },
            ],
          },
        },
        lines: { action: 'wait-for-event', forEach: '[1, 2, 3]', params: { event: 'line' } },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const now = clock.now()
    await engine.approve(runId, 'ok', { by: 'ann' })
    const view = (await engine.getRun(runId))!
    expect(view.tasks.nap!.waiting).toEqual({ kind: 'timer', until: now + 60_000 })
    expect(view.tasks.hear!.waiting).toEqual({ kind: 'signal', signal: 'go', until: now + 30_000 })
    expect(view.tasks.ok!.waiting).toEqual({
      kind: 'approval',
      title: 'Ship it?',
      level: 0,
      approvers: ['ann', 'bob'],
      groups: [],
      quorum: 2,
      votes: [{ by: 'ann', decision: 'approved', at: now, level: 0 }],
      until: now + 10_000,
    })
    expect(view.tasks.lines!.waiting).toEqual({ kind: 'items', count: 3, waiting: 3 })
    // The view's copy: changing it changes nothing in the run.
    ;(view.tasks.ok!.waiting!.approvers as string[]).push('eve')
    expect((await engine.getRun(runId))!.tasks.ok!.waiting!.approvers).toEqual(['ann', 'bob'])
    await engine.signal(runId, 'go', 1)
    await engine.approve(runId, 'ok', { by: 'bob' })
    const later = (await engine.getRun(runId))!
    expect(later.tasks.hear).not.toHaveProperty('waiting')
    expect(later.tasks.ok).not.toHaveProperty('waiting')
    await engine.close()
  })
})
