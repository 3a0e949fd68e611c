import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { BuiltinAction, BuiltinContext } from '../actions/builtin-context'
import { isWaitRequest, waitFor } from '../actions/wait'
import { copyValue } from '../boundary'
import { type SpindleError, TaskError } from '../errors'
import type { ActionContext, CompiledTask, ExpressionScope } from '../types'
import type { AttemptAbort } from './attempt-abort'
import type { ItemsHost } from './run-items'

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
 * Calls a task's action once: its output (checked, cloneable) or a promise of it. Synchronous
 * unless a schema check or the action itself is asynchronous; a failure is thrown, or rejects.
 */
export function invokeAction(
  host: TaskHost,
  task: CompiledTask,
  attempt: number,
  abort: AttemptAbort,
  params: Record<string, unknown>,
  changes: Record<string, unknown>,
  index?: number,
  key?: string,
): unknown {
  const action = host.action(task.action)
  if (action.input) {
    const schema = action.input
    return check(schema, params, 'INPUT_INVALID', task.id, 'input').then((input) =>
      call(host, task, action, attempt, abort, input as Record<string, unknown>, changes, index, key),
    )
  }
  return call(host, task, action, attempt, abort, params, changes, index, key)
}

function call(
  host: TaskHost,
  task: CompiledTask,
  action: RunnableAction,
  attempt: number,
  abort: AttemptAbort,
  input: Record<string, unknown>,
  changes: Record<string, unknown>,
  index?: number,
  key?: string,
): unknown {
  const taskId = task.id
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
  const result = action.builtin ? action.run(input, withCapabilities(ctx, host)) : action.run(input, ctx)
  if (isThenable(result)) return untilAborted(result, abort).then((value) => settle(action, value, taskId))
  return settle(action, result, taskId)
}

/** The action's result as the journal takes it: checked against its output schema, cloneable. */
function settle(action: RunnableAction, result: unknown, taskId: string): unknown {
  if (isWaitRequest(result)) return result
  if (action.output) {
    return check(action.output, result, 'OUTPUT_INVALID', taskId, 'output').then((output) =>
      cloneable(output, 'the output', taskId),
    )
  }
  return cloneable(result, 'the output', taskId)
}

/** A built-in's context: the action's own, plus the capabilities built-ins are given. */
function withCapabilities(ctx: ActionContext, host: TaskHost): BuiltinContext {
  return Object.assign(ctx, { now: () => host.now(), waitFor })
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
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

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
