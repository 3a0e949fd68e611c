import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { BuiltinAction, BuiltinContext } from '../actions/builtin-context'
import { isWaitRequest, waitFor } from '../actions/wait'
import { copyValue } from '../boundary'
import type { RunEvent } from '../core/run-reducer'
import { type SpindleError, TaskError, TimeoutError, toErrorInfo } from '../errors'
import type { ActionContext, ActionWait, CompiledTask, ErrorInfo, ExpressionScope } from '../types'
import type { AttemptAbort } from './attempt-abort'
import { AttemptTimer } from './attempt-timer'
import { type ItemsHost, runItems } from './run-items'

/** An action as the runner calls it: a user action, or a built-in that gets capabilities. */
export type RunnableAction =
  | {
      run(params: any, ctx: ActionContext): unknown
      input?: StandardSchemaV1
      output?: StandardSchemaV1
      builtin?: never
    }
  | { run: BuiltinAction; builtin: true; input?: never; output?: never }

/** What the runner needs from the run it works for. */
export interface TaskHost extends ItemsHost {
  readonly runId: string
  random(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  action(name: string): RunnableAction
  scope(refs: readonly string[], extra?: { item: unknown; index: number }): ExpressionScope
  readState(key: string): unknown
}

/**
 * Runs one attempt of a task and returns the event that ends it: `task.completed`,
 * `task.failed`, `task.timed-out` or `task.waiting`; `undefined` when the attempt was aborted
 * by the run (cancel, skip, failure elsewhere), whose state already says what happened.
 */
export async function runTask(
  host: TaskHost,
  task: CompiledTask,
  attempt: number,
  controller: AttemptAbort,
  options: { key?: string } = {},
): Promise<RunEvent | undefined> {
  const taskId = task.id
  const changes: Record<string, unknown> = {}
  const timer =
    task.timeoutMs === undefined ? undefined : new AttemptTimer(host, taskId, task.timeoutMs, controller)
  const ended = (): RunEvent | undefined => {
    const reason = controller.reason
    if (!(reason instanceof TimeoutError)) return undefined
    return {
      type: 'task.timed-out',
      taskId,
      attempt,
      timeoutMs: task.timeoutMs!,
      rand: host.random(),
      at: host.now(),
    }
  }
  const failed = (error: unknown): RunEvent => {
    const info: ErrorInfo = toErrorInfo(error)
    const noRetry = info.code === 'INPUT_INVALID' || info.code === 'EXPRESSION_FAILED'
    return { type: 'task.failed', taskId, attempt, error: info, noRetry, rand: host.random(), at: host.now() }
  }
  try {
    const call = (params: Record<string, unknown>, index?: number) =>
      invoke(host, task, attempt, controller, params, changes, index, options.key)
    let output: unknown
    if (task.forEach) {
      const items = task.forEach.evaluate(host.scope(task.taskRefs))
      if (!Array.isArray(items)) {
        throw new TaskError(
          'EXPRESSION_FAILED',
          `forEach of task "${taskId}" must give an array, got ${describe(items)}.`,
          {
            taskId,
            value: items,
          },
        )
      }
      const item = (index: number) => call(resolveParams(host, task, { item: items[index], index }), index)
      const outcome = await runItems(host, task, items, item, controller, timer)
      if (controller.aborted) return ended()
      if (outcome.waits.length > 0) {
        const waiting = outcome.waits.map(({ index, wait }) => ({ index, ...waitFields(wait) }))
        return { type: 'task.waiting', taskId, items: waiting, count: items.length, at: host.now() }
      }
      output = outcome.outputs
    } else {
      output = await call(resolveParams(host, task))
    }
    if (controller.aborted) return ended()
    if (isWaitRequest(output))
      return { type: 'task.waiting', taskId, ...waitFields(output.wait), at: host.now() }
    let state: Record<string, unknown> | undefined
    for (const _ in changes) {
      state = changes
      break
    }
    return { type: 'task.completed', taskId, attempt, output, ...(state && { state }), at: host.now() }
  } catch (error) {
    if (controller.aborted) return ended()
    return failed(error)
  } finally {
    timer?.clear()
  }
}

function resolveParams(host: TaskHost, task: CompiledTask, extra?: { item: unknown; index: number }) {
  const params = task.params
  if (!params) return {}
  return params.static ? params.value : params.resolve(host.scope(params.taskRefs, extra))
}

async function invoke(
  host: TaskHost,
  task: CompiledTask,
  attempt: number,
  abort: AttemptAbort,
  params: Record<string, unknown>,
  changes: Record<string, unknown>,
  index?: number,
  key?: string,
): Promise<unknown> {
  const action = host.action(task.action)
  const taskId = task.id
  const input = action.input ? await check(action.input, params, 'INPUT_INVALID', taskId, 'input') : params
  const ctx: ActionContext = {
    get signal() {
      return abort.signal
    },
    attempt,
    idempotencyKey:
      key ?? (index === undefined ? `${host.runId}:${taskId}` : `${host.runId}:${taskId}:${index}`),
    runId: host.runId,
    taskId,
    ...(index !== undefined && { index }),
    state: {
      // A copy: a change in place is not a change until `set`, and a failed attempt's is dropped.
      get: (key) => copyValue(key in changes ? changes[key] : host.readState(key)),
      set: (key, value) => {
        if (typeof key !== 'string' || key === '') {
          throw new TaskError('INVALID_ARGUMENT', 'ctx.state.set needs a non-empty string key.', {
            value: key,
          })
        }
        changes[key] = cloneable(value, `the value of state "${key}"`, taskId)
      },
    },
    progress: (fraction, note) => {
      if (abort.aborted) return
      if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
        throw new TaskError(
          'INVALID_ARGUMENT',
          `ctx.progress needs a fraction in [0, 1], got ${describe(fraction)}.`,
          {
            value: fraction,
          },
        )
      }
      host.post({
        type: 'task.progress',
        taskId,
        fraction,
        ...(note !== undefined && { note: String(note) }),
        at: host.now(),
      })
    },
    log: (...parts) => {
      if (abort.aborted) return
      const message = parts.map((p) => (typeof p === 'string' ? p : describe(p))).join(' ')
      host.post({ type: 'task.log', taskId, message, at: host.now() })
    },
  }
  let result = action.builtin ? action.run(input, withCapabilities(ctx, host)) : action.run(input, ctx)
  if (isThenable(result)) result = await untilAborted(result, abort)
  if (isWaitRequest(result)) return result
  const output = action.output
    ? await check(action.output, result, 'OUTPUT_INVALID', taskId, 'output')
    : result
  return cloneable(output, 'the output', taskId)
}

/** A built-in's context: the action's own, plus the capabilities built-ins are given. */
function withCapabilities(ctx: ActionContext, host: TaskHost): BuiltinContext {
  return Object.assign(ctx, { now: () => host.now(), waitFor })
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/** An action that ignores its AbortSignal must not hold the run: the attempt ends at the abort. */
function untilAborted(result: PromiseLike<unknown>, abort: AttemptAbort): Promise<unknown> {
  if (abort.aborted) return Promise.reject(abort.reason)
  return new Promise((resolve, reject) => {
    const stop = abort.onAbort(() => reject(abort.reason))
    result.then(
      (value) => {
        stop()
        resolve(value)
      },
      (error) => {
        stop()
        reject(error)
      },
    )
  })
}

async function check(
  schema: StandardSchemaV1,
  value: unknown,
  code: 'INPUT_INVALID' | 'OUTPUT_INVALID',
  taskId: string,
  what: string,
) {
  const result = await schema['~standard'].validate(value)
  if (!result.issues) return result.value
  const details = result.issues
    .map(
      (i) =>
        `${(i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.') || '(root)'}: ${i.message}`,
    )
    .join('; ')
  throw new TaskError(code, `Task "${taskId}": the action's ${what} is invalid: ${details}`, {
    taskId,
    value,
  })
}

/** Outputs and state go to the journal, which stores structured clones: fail early and clearly. */
function cloneable(value: unknown, what: string, taskId: string): unknown {
  if (value === undefined || value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw notCloneable(what, taskId, value)
    return value
  }
  try {
    return structuredClone(value)
  } catch (error) {
    throw notCloneable(what, taskId, value, error)
  }
}

function notCloneable(what: string, taskId: string, value: unknown, cause?: unknown): SpindleError {
  return new TaskError(
    'OUTPUT_INVALID',
    `Task "${taskId}": ${what} cannot be stored (it must be structured-clone-safe: plain data, no functions or class instances).`,
    { taskId, value: typeof value === 'function' ? '[function]' : undefined, cause },
  )
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** A wait as the fields of its `task.waiting` record. */
function waitFields(wait: ActionWait): { until?: number; signal?: string } {
  const until = wait.until === undefined ? {} : { until: wait.until }
  return wait.kind === 'signal' ? { signal: wait.name, ...until } : until
}
