import { memoryStore, simulatedClock, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { emptyRunData } from '../../src/core/run-data'
import { compileWorkflow } from '../../src/definition/compile'
import { FileRoot } from '../../src/host/file-root'
import { SecretVault } from '../../src/host/secret-vault'
import { JournalWriter } from '../../src/runtime/journal'
import { type ExecutorHost, RunExecutor } from '../../src/runtime/run-executor'
import { noNetwork } from '../support/builtin-context'
import { def } from '../support/engine-fixtures'

/** An executor on a memory store whose `publish` calls `onPublish` as each record goes out. */
function executorFor(
  actions: Record<string, () => unknown>,
  onPublish: (event: WorkflowEvent) => void,
  tasks: Record<string, { action: string }> = { a: { action: 'quick' }, b: { action: 'quick' } },
) {
  const clock = simulatedClock()
  const published: WorkflowEvent[] = []
  const broken: unknown[] = []
  const journal = new JournalWriter(memoryStore())
  const host: ExecutorHost = {
    journal,
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
    capabilities: { secrets: new SecretVault(), http: noNetwork, files: new FileRoot() },
  }
  const wf = compileWorkflow(def(tasks) as never)
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
  /** Resolves once no write is queued or in flight and every round of effects is carried out. */
  const quiet = async () => {
    while (!journal.idle || executor.busy) {
      await journal.settled()
      await executor.idle()
    }
  }
  return { executor, published, broken, quiet }
}

describe('an attempt that ends synchronously', () => {
  it('is not started when a fence lands while its round publishes: the round starts nothing more', async () => {
    let fenced: Promise<void> | undefined
    let runs = 0
    const { executor, published, broken, quiet } = executorFor({ quick: () => ++runs }, (event) => {
      // A step's records go out before its commands: no action of this round has run yet.
      if (event.type === 'task.started' && event.taskId === 'b') fenced = executor.fence('a test fence')
    })
    await executor.send({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 } as never)
    await quiet()
    await fenced
    await quiet()
    expect(fenced).toBeDefined()
    expect(broken).toEqual([])
    // Both starts are committed facts and go out; the work they would start does not.
    expect(published.filter((e) => e.type === 'task.started').map((e) => e.taskId)).toEqual(['a', 'b'])
    expect(published.filter((e) => e.type === 'task.completed')).toEqual([])
    expect(executor.state.tasks.a!.status).toBe('running')
    expect(runs).toBe(0)
  })

  it('is dropped, not sent, when a fence lands later in its round, and the round starts nothing more', async () => {
    let fenced: Promise<void> | undefined
    const ran: string[] = []
    const { executor, published, broken, quiet } = executorFor(
      {
        quick: () => ran.push('quick'),
        // Runs after a ended (synchronously) but before a's result is sent.
        fencing: () => {
          ran.push('fencing')
          fenced = executor.fence('a test fence')
          return 1
        },
      },
      () => {},
      { a: { action: 'quick' }, b: { action: 'fencing' }, c: { action: 'quick' } },
    )
    await executor.send({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 } as never)
    await quiet()
    await fenced
    await quiet()
    expect(fenced).toBeDefined()
    expect(broken).toEqual([])
    expect(published.filter((e) => e.type === 'task.completed')).toEqual([])
    expect(executor.state.tasks.a!.status).toBe('running')
    // c's start is the fenced run's work, not a fact: its action never runs.
    expect(ran).toEqual(['quick', 'fencing'])
  })

  it('is sent after the other commands of its round: every task the round starts runs first', async () => {
    const calls: string[] = []
    const { executor, published, quiet } = executorFor({ quick: () => calls.push('run') }, (event) => {
      if (event.type === 'task.started' || event.type === 'task.completed')
        calls.push(`${event.type} ${event.taskId}`)
    })
    await executor.send({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 } as never)
    await quiet()
    expect(calls).toEqual([
      'task.started a',
      'task.started b',
      'run',
      'run',
      'task.completed a',
      'task.completed b',
    ])
    expect(published.at(-1)).toMatchObject({ type: 'workflow.completed' })
  })
})

describe('send', () => {
  it("records a copy of the caller's event: the caller's object is neither numbered nor frozen", async () => {
    const { executor, published } = executorFor({ quick: () => 1 }, () => {})
    const event = { type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 }
    await executor.send(event as never)
    expect(event).toEqual({ type: 'workflow.started', definitionId: 'wf', version: '1.0.0', at: 0 })
    expect(Object.isFrozen(event)).toBe(false)
    expect(published[0]).toMatchObject({ type: 'workflow.started', runId: 'r1', seq: 1 })
    expect(published[0]).not.toBe(event)
  })
})
