import { createEngine, type Engine, type EngineOptions, memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { subworkflowParent as parent, waitingChild } from '../support/child-runs'
import { testEngines, until } from '../support/engine-fixtures'
import { gatedStore } from '../support/gated-store'

const START = Date.UTC(2026, 0, 1)

describe('subworkflow: control calls cascade to child runs first', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = async (options: EngineOptions = {}) => {
    const engine = createEngine({
      store: temp.open(),
      clock: simulatedClock(START),
      random: () => 0.5,
      ...options,
    })
    engines.push(engine)
    await engine.idle()
    return engine
  }
  /** A parent `p` whose child `p/sub` waits for a signal. */
  const waitingFamily = async (params: Record<string, unknown> = {}, options: EngineOptions = {}) => {
    const engine = await open(options)
    await engine.register(waitingChild)
    await engine.register(parent(params))
    await engine.start('parent', {}, { runId: 'p' })
    // The action starts the child asynchronously: idle() does not wait for actions.
    await until(async () => (await engine.getRun('p'))!.tasks.sub!.status === 'waiting')
    await engine.idle()
    expect((await engine.getRun('p/sub'))!.status).toBe('running')
    return engine
  }

  it('cancel cancels the child first; the child’s end does not fail the parent task', async () => {
    const engine = await waitingFamily()
    const events: string[] = []
    engine.events$.subscribe((e) => {
      if (e.type.startsWith('workflow.') || e.type.startsWith('child.') || e.type === 'task.failed')
        events.push(`${e.runId} ${e.type}`)
    })
    await engine.cancel('p', 'no longer needed')
    await engine.idle()
    expect(events).toEqual(['p/sub workflow.cancelled', 'p workflow.cancelled'])
    expect((await engine.getRun('p/sub'))!.status).toBe('cancelled')
    expect((await engine.getRun('p'))!.status).toBe('cancelled')
    const cancelled = (await engine.history('p/sub')).find((e) => e.type === 'workflow.cancelled')
    expect(cancelled).toMatchObject({ reason: 'the parent run "p" was cancelled' })
  })

  it("onParentCancel: 'abandon' leaves the child running when the parent is cancelled", async () => {
    const engine = await waitingFamily({ onParentCancel: 'abandon' })
    await engine.cancel('p')
    await engine.idle()
    expect((await engine.getRun('p'))!.status).toBe('cancelled')
    expect((await engine.getRun('p/sub'))!.status).toBe('running')
    await engine.signal('p/sub', 'go', 'still done')
    expect((await engine.wait('p/sub')).output).toBe('still done')
  })

  it('pause pauses the child first, resume resumes it first; the parent then completes', async () => {
    const engine = await waitingFamily()
    await engine.pause('p')
    expect((await engine.getRun('p/sub'))!.status).toBe('paused')
    expect((await engine.getRun('p'))!.status).toBe('paused')
    const childPause = (await engine.history('p/sub')).find((e) => e.type === 'workflow.paused')!
    const parentPause = (await engine.history('p')).find((e) => e.type === 'workflow.paused')!
    expect(childPause.at).toBeLessThanOrEqual(parentPause.at)
    await engine.resume('p')
    expect((await engine.getRun('p/sub'))!.status).toBe('running')
    expect((await engine.getRun('p'))!.status).toBe('running')
    await engine.signal('p/sub', 'go', 'resumed')
    const done = await engine.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'resumed' })
  })

  it('a refused call changes no child: resume of a running parent leaves its paused child paused', async () => {
    const engine = await waitingFamily()
    await engine.pause('p/sub')
    await expect(engine.resume('p')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect((await engine.getRun('p/sub'))!.status).toBe('paused')
  })

  it('rollback rolls back the children started after the checkpoint first; resume runs the same child again', async () => {
    const undone: string[] = []
    const engine = await open({ actions: { undo: ({ what }: { what: string }) => undone.push(what) } })
    await engine.register({
      schemaVersion: '2.0',
      id: 'child',
      version: '1.0.0',
      tasks: {
        c: {
          action: 'transform',
          params: { value: 'made' },
          compensate: { action: 'undo', params: { what: 'c' } },
        },
      },
      output: 'tasks.c.output',
    })
    await engine.register({
      ...parent(),
      tasks: {
        a: { action: 'noop' },
        sub: { action: 'subworkflow', dependsOn: ['a'], params: { workflow: 'child' } },
      },
    })
    await engine.start('parent', {}, { runId: 'p' })
    expect((await engine.wait('p')).output).toBe('made')
    const afterA = (await engine.checkpoints('p')).find((c) => c.completedTasks.join() === 'a')!
    await engine.as('ann').rollback('p', afterA.checkpointId)
    expect(undone).toEqual(['c'])
    // The child's rollback is the caller's too: both journals name who rolled back.
    for (const runId of ['p', 'p/sub']) {
      const rolledBack = (await engine.history(runId)).filter((e) => e.type === 'workflow.rolled-back')
      expect(rolledBack.map((e) => e.by)).toEqual(['ann'])
    }
    expect(await engine.getRun('p/sub')).toMatchObject({
      status: 'paused',
      tasks: { c: { status: 'pending' } },
    })
    expect((await engine.getRun('p'))!.status).toBe('paused')
    await engine.resume('p')
    const done = await engine.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'made', children: ['p/sub'] })
    expect((await engine.listRuns({ parentRunId: 'p' })).runs.map((r) => r.runId)).toEqual(['p/sub'])
    const starts = (await engine.history('p')).filter((e) => e.type === 'child.started')
    expect(starts.map((e) => Boolean(e.rolledBack))).toEqual([true, false])
  })

  it('keeps a child started before the checkpoint: the task run again reads its end, which came before it waited', async () => {
    const engine = await waitingFamily()
    const checkpoint = await engine.checkpoint('p', 'child running')
    await engine.signal('p/sub', 'go', 'first')
    expect((await engine.wait('p')).output).toBe('first')
    await engine.rollback('p', checkpoint.checkpointId)
    // The child is not rolled back: it ended, and stays as it was.
    expect(await engine.getRun('p/sub')).toMatchObject({ status: 'completed', output: 'first' })
    await engine.resume('p')
    const done = await engine.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'first' })
    const live = (await engine.history('p')).filter((e) => !e.rolledBack).map((e) => e.type)
    // The task ran again and found its ended child when it entered the wait.
    expect(live.slice(-5)).toEqual([
      'task.started',
      'task.waiting',
      'child.completed',
      'task.completed',
      'workflow.completed',
    ])
    expect((await engine.history('p/sub')).filter((e) => e.type === 'workflow.started')).toHaveLength(1)
  })

  it('refuses bad params computed as it runs with INPUT_INVALID, not retried, and starts no child', async () => {
    const engine = await open()
    const params = { workflow: 'child', wait: '${ input.wait }' }
    await engine.register({
      ...parent(params),
      tasks: { sub: { action: 'subworkflow', params, retry: { maxAttempts: 3 } } },
    })
    const done = await engine.wait((await engine.start('parent', { wait: 'yes' }, { runId: 'p' })).runId)
    expect(done.status).toBe('failed')
    expect(done.tasks.sub).toMatchObject({ attempts: 1, error: { code: 'INPUT_INVALID' } })
    expect(done.tasks.sub!.error!.message).toContain('params.wait must be true')
    expect((await engine.listRuns({ parentRunId: 'p' })).runs).toEqual([])
  })
})

describe('subworkflow: a parent cancelled while its child is starting', () => {
  const open = testEngines()

  it('cancels the child once it has started: the parent’s cancel could not reach it yet', async () => {
    const store = gatedStore(memoryStore())
    const { engine } = open({ store })
    await engine.register(waitingChild)
    await engine.register(parent())
    // The gate shuts as the parent's task starts: the child's first write waits at it.
    engine.events$.subscribe((e) => {
      if (e.runId === 'p' && e.type === 'task.started') store.shut()
    })
    await engine.start('parent', {}, { runId: 'p' })
    await until(() => store.held === 1)
    const cancelled = engine.cancel('p')
    // Applied to the parent, not written yet (its write waits behind the child's).
    await until(async () => (await engine.getRun('p'))!.status === 'cancelled')
    expect((await engine.getRun('p'))!.children).toBeUndefined()
    // The child's start commits after the parent's cancel was applied.
    while (!(await engine.getRun('p/sub').then((kid) => kid?.status === 'cancelled'))) {
      if (store.held > 0) await store.release()
      else await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await cancelled
    while (store.held > 0) await store.release()
    expect((await engine.getRun('p'))!.status).toBe('cancelled')
    const kidCancel = (await engine.history('p/sub')).find((e) => e.type === 'workflow.cancelled')
    expect(kidCancel).toMatchObject({ reason: 'the parent run "p" was cancelled' })
  })
})
