/**
 * A worker serving a scripted engine (no run machine): the protocol tests use it to check errors,
 * batching and subscriptions without depending on how runs execute. The worker's `name` is the
 * store name, which also names its BroadcastChannel.
 */
import { Subject } from 'rxjs'
import {
  DefinitionError,
  type Engine,
  ExpressionError,
  InputError,
  InvalidStateError,
  NotFoundError,
  type RunInfo,
  SpindleError,
  TaskError,
  TimeoutError,
  type WorkflowEvent,
} from 'spindle'
import { serveEngine } from 'spindle/worker'

const events$ = new Subject<WorkflowEvent>()
let seq = 0

function info(runId: string): RunInfo {
  return { runId, definitionId: 'wf', version: '1.0.0', status: 'running', createdAt: 1, updatedAt: 2 }
}

/** Publishes `count` events of run `runId`, `perTask` at a time, each group in a task of its own. */
async function publish(runId: string, count: number, perTask: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    events$.next({ type: 'task.completed', runId, seq: ++seq, at: i, taskId: `t${i}`, attempt: 1, output: i })
    if ((i + 1) % perTask === 0) await new Promise((resolve) => setTimeout(resolve, 0))
  }
}

const engine = {
  storeName: self.name,
  actionNames: ['noop', 'add'],
  events$,
  async register(definition: any) {
    if (definition?.bad) {
      throw new DefinitionError(
        [
          { path: 'tasks.b.dependsOn[0]', code: 'unknown-task', message: 'depends on unknown task "x"' },
          { path: 'id', code: 'pattern', message: 'must match [a-z0-9][a-z0-9._-]*' },
        ],
        { value: definition },
      )
    }
    return { id: definition.id, version: '1.0.0', schemaVersion: '2.0', registeredAt: 5, taskCount: 1 }
  },
  async start(definitionId: string, input?: Record<string, unknown>) {
    if (definitionId === 'missing') throw new NotFoundError(`No workflow "missing".`, { value: definitionId })
    if (input?.bad) {
      throw new InputError([{ path: 'input.orderId', code: 'required', message: 'is required' }], {
        value: input,
      })
    }
    return info(`run-${definitionId}`)
  },
  async pause(runId: string) {
    throw new InvalidStateError(`Run ${runId} is completed; only a running run can be paused.`, {
      value: runId,
    })
  },
  async retryTask(runId: string, taskId: string) {
    throw new TaskError('TASK_FAILED', `Task ${taskId} of ${runId} failed`, {
      taskId,
      cause: new TypeError('fetch failed'),
    })
  },
  async skipTask(_runId: string, taskId: string) {
    throw new ExpressionError('tasks.a.output.x > 1', `No such key: x (task ${taskId})`)
  },
  async wait(runId: string) {
    throw new TimeoutError(`Run ${runId} did not finish in 10 ms.`, { value: 10 })
  },
  async cancel() {
    throw new SpindleError('CANCELLED', 'custom', { value: () => 1 })
  },
  async resume() {
    throw new RangeError('plain failure')
  },
  async signal(runId: string, name: string, payload?: any) {
    if (name === 'publish') await publish(runId, payload.count, payload.perTask)
    if (name === 'echo') return { runId, payload }
    // Never answers; with 'crash', the worker then fails outside any call.
    if (name === 'hang') return new Promise(() => {})
    if (name === 'crash') {
      setTimeout(() => {
        throw new Error('worker crashed')
      })
      return new Promise(() => {})
    }
    if (name === 'serve-again') {
      try {
        serveEngine(engine)
      } catch (error) {
        return { code: (error as SpindleError).code, message: (error as Error).message }
      }
    }
    return info(runId)
  },
  async getRun(runId: string) {
    return runId === 'none' ? undefined : { ...info(runId), when: new Date(7), tags: new Set(['a']) }
  },
  async history(runId: string) {
    return [{ type: 'workflow.started', runId, seq: 1, at: 1, definitionId: 'wf', version: '1.0.0' }]
  },
  async close() {
    events$.complete()
  },
} as Partial<Engine> as Engine

serveEngine(engine)
