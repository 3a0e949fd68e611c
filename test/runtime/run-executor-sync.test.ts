import { memoryStore, simulatedClock, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { emptyRunData } from '../../src/core/run-data'
import { compileWorkflow } from '../../src/definition/compile'
import { JournalWriter } from '../../src/runtime/journal'
import { type ExecutorHost, RunExecutor } from '../../src/runtime/run-executor'
import { def, flush } from '../support/engine-fixtures'

/** An executor on a memory store whose `publish` calls `onPublish` as each record goes out. */
function executorFor(actions: Record<string, () => unknown>, onPublish: (event: WorkflowEvent) => void) {
  const clock = simulatedClock()
  const published: WorkflowEvent[] = []
  const broken: unknown[] = []
  const host: ExecutorHost = {
    journal: new JournalWriter(memoryStore()),
    snapshotEvery: 200,
    now: () => clock.now(),
    random: () => 0.5,
    setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    action: (name) => ({ run: actions[name]! }),
    publish: (event) => {
      published.push(event)
      onPublish(event)
    },
    settled: () => {},
    broken: (_, error) => broken.push(error),
  }
  const wf = compileWorkflow(def({ a: { action: 'quick' }, b: { action: 'quick' } }) as never)
  const record = {
    runId: 'r1',
    definitionId: 'wf',
    version: '1.0.0',
    status: 'queued' as const,
    createdAt: 0,
    updatedAt: 0,
    input: {},
    epoch: 1,
    seq: 0,
  }
  const executor = new RunExecutor(host, wf, record, emptyRunData(), undefined, { newRun: true })
  return { executor, published, broken }
}

describe('an attempt that ends synchronously', () => {
  it('is dropped, not sent, when a fence lands before its round is carried out, and the round starts nothing more', async () => {
    let fenced: Promise<void> | undefined
    let runs = 0
    const { executor, published, broken } = executorFor({ quick: () => ++runs }, (event) => {
      // Task a has run and ended by now (its start came first in this round); b's record is next.
      if (event.type === 'task.started' && event.taskId === 'b') fenced = executor.fence('a test fence')
    })
    await executor.send({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 } as never)
    await flush()
    await fenced
    await flush()
    expect(fenced).toBeDefined()
    expect(broken).toEqual([])
    expect(published.filter((e) => e.type === 'task.completed')).toEqual([])
    expect(executor.state.tasks.a!.status).toBe('running')
    // b's start is the fenced run's work, not a fact: its action never runs.
    expect(runs).toBe(1)
  })

  it('is sent after the other commands of its round: every task the round starts runs first', async () => {
    const calls: string[] = []
    const { executor, published } = executorFor({ quick: () => calls.push('run') }, (event) => {
      if (event.type === 'task.started' || event.type === 'task.completed')
        calls.push(`${event.type} ${event.taskId}`)
    })
    await executor.send({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 } as never)
    await flush()
    expect(calls).toEqual([
      'task.started a',
      'run',
      'task.started b',
      'run',
      'task.completed a',
      'task.completed b',
    ])
    expect(published.at(-1)).toMatchObject({ type: 'workflow.completed' })
  })
})
