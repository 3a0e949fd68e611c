import { filter } from 'rxjs'
import { createRunReplica, defineAction, isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

describe('createRunReplica', () => {
  it('reproduces the engine state from a snapshot and the events after it', async () => {
    let calls = 0
    const { engine, clock } = testEngine({
      actions: {
        flaky: () => {
          if (++calls < 2) throw new Error('once')
          return calls
        },
      },
    })
    await engine.register(
      def({
        a: { action: 'flaky', retry: { maxAttempts: 2, initialDelayMs: 100 } },
        b: { action: 'noop', dependsOn: ['a'] },
        c: { action: 'delay', params: { ms: 50 } },
      }),
    )
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf')
    const snapshot = (await engine.runSnapshot(run.runId))!
    const replica = createRunReplica(snapshot)
    await engine.idle()
    clock.advance(100)
    await engine.wait(run.runId)
    for (const event of events) expect(replica.apply(event)).toBe(true)
    const final = (await engine.runSnapshot(run.runId))!
    expect(replica.state).toEqual(final.state)
  })

  it('follows approvals: votes, an escalation and forEach items, the events frozen as the engine publishes them', async () => {
    const { engine, clock } = testEngine()
    const levels = [
      { approvers: ['ann', 'bob'], quorum: 2, timeoutMs: 100, onTimeout: 'escalate' },
      { approvers: ['cat'], onTimeout: 'reject' },
    ]
    await engine.register(
      def({
        one: { action: 'approval', params: { title: 'One', levels } },
        each: { action: 'approval', forEach: '[1, 2]', params: { title: 'Item ${ item }', levels } },
      }),
    )
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf')
    const replica = createRunReplica((await engine.runSnapshot(run.runId))!)
    await engine.idle()
    await engine.approve(run.runId, 'one', { by: 'ann' })
    await engine.approve(run.runId, 'each[1]', { by: 'ann' })
    clock.advance(100)
    await engine.idle()
    await engine.approve(run.runId, 'one', { by: 'cat' })
    await engine.reject(run.runId, 'each[0]', { by: 'cat' })
    await engine.approve(run.runId, 'each[1]', { by: 'cat' })
    await engine.wait(run.runId)
    for (const event of events) expect(replica.apply(event), event.type).toBe(true)
    expect(replica.state).toEqual((await engine.runSnapshot(run.runId))!.state)
  })

  it('reports a gap when an input event is missing', async () => {
    // Held in its first task, so the snapshot is taken before the events the test feeds back.
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const { engine } = testEngine({ actions: { hold: () => held } })
    await engine.register(def({ a: { action: 'hold' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf')
    const replica = createRunReplica((await engine.runSnapshot(run.runId))!)
    release()
    await engine.wait(run.runId)
    const later = events.filter((e) => e.seq > replica.state.seq)
    expect(replica.apply(later[1]!)).toBe(false)
    expect(replica.apply(later[0]!)).toBe(true)
  })

  it('asks for a new snapshot on workflow.rolled-back, which the events alone cannot replay; the new one matches', async () => {
    const { engine } = testEngine({ actions: { fail: () => Promise.reject(new Error('no')) } })
    await engine.register(
      def({
        a: { action: 'noop' },
        b: { action: 'noop', dependsOn: ['a'] },
        c: { action: 'fail', dependsOn: ['b'] },
      }),
    )
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf')
    const replica = createRunReplica((await engine.runSnapshot(run.runId))!)
    expect((await engine.wait(run.runId)).status).toBe('failed')
    const [, afterA] = await engine.checkpoints(run.runId)
    await engine.rollback(run.runId, afterA!.checkpointId)
    const rolledBack = events.findIndex((e) => e.type === 'workflow.rolled-back')
    for (const event of events.slice(0, rolledBack)) expect(replica.apply(event)).toBe(true)
    expect(replica.apply(events[rolledBack]!)).toBe(false)
    const fresh = createRunReplica((await engine.runSnapshot(run.runId))!)
    expect(fresh.apply(events[rolledBack]!)).toBe(true)
    expect(fresh.state.tasks.b!.status).toBe('pending')
    expect(fresh.state.status).toBe('paused')
  })

  it('follows a task completed from the result cache (task.cached) and a cached forEach item', async () => {
    const price = defineAction({ version: '1', run: (params: { n: number }) => params.n * 10 })
    const { engine } = testEngine({ actions: { price } })
    await engine.register(
      def({
        p: { action: 'price', params: { n: 1 }, cache: { ttlMs: 60_000 } },
        each: { action: 'price', forEach: '[1, 2]', params: { n: '${ item }' }, cache: { ttlMs: 60_000 } },
        after: { action: 'noop', dependsOn: ['p', 'each'] },
      }),
    )
    await engine.wait((await engine.start('wf')).runId)
    const events: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
    const run = await engine.start('wf')
    const replica = createRunReplica((await engine.runSnapshot(run.runId))!)
    await engine.wait(run.runId)
    expect(events.some((e) => e.type === 'task.cached')).toBe(true)
    for (const event of events) expect(replica.apply(event)).toBe(true)
    expect(replica.state).toEqual((await engine.runSnapshot(run.runId))!.state)
    expect(replica.state.status).toBe('completed')
  })
})
