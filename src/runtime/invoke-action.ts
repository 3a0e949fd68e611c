import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { BuiltinAction, Capabilities } from '../actions/builtin-context'
import { isWaitRequest } from '../actions/wait'
import { TaskError } from '../errors'
import type { ActionContext, CompiledTask, ExpressionScope } from '../types'
import type { ActionLimiter } from './action-limiter'
import type { AttemptAbort } from './attempt-abort'
import { AttemptContext, BuiltinAttemptContext, type ContextHost } from './attempt-context'
import { cloneable, redactValue } from './attempt-values'
import type { ResultCache } from './result-cache'
import type { ItemsHost } from './run-items'

/** An action as the runner calls it: a user action, or a built-in that gets capabilities. */
export type RunnableAction =
  | {
      run(params: any, ctx: ActionContext): unknown
      input?: StandardSchemaV1
      output?: StandardSchemaV1
      builtin?: never
      /** Part of the result cache key; without one the action's tasks are never cached. */
      version?: string
    }
  | { run: BuiltinAction; builtin: true; input?: never; output?: never; version?: string }

/** What the runner needs from the run it works for. */
export interface TaskHost extends ItemsHost {
  readonly runId: string
  random(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  action(name: string): RunnableAction
  scope(refs: readonly string[], extra?: { item: unknown; index: number }): ExpressionScope
  readState(key: string): unknown
  startChild: ContextHost['startChild']
  readonly capabilities: Capabilities
  /** The engine's limits per action: `forEach` items of a limited action each take a slot. */
  readonly limiter?: ActionLimiter
  /** The engine's result cache, for tasks with `cache`. */
  readonly resultCache?: ResultCache
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
  let ctx: AttemptContext
  let result: unknown
  if (action.builtin) {
    const builtin = new BuiltinAttemptContext(host, taskId, attempt, abort, changes, index, key)
    ctx = builtin
    result = action.run(input, builtin)
  } else {
    ctx = new AttemptContext(host, taskId, attempt, abort, changes, index, key)
    result = action.run(input, ctx)
  }
  if (isThenable(result)) {
    return untilAborted(result, abort).then((value) =>
      settle(action, blankSecrets(host, ctx, value, changes), taskId),
    )
  }
  return settle(action, blankSecrets(host, ctx, result, changes), taskId)
}

/**
 * An attempt that read a secret may hand it back (an echoed request, a careless output): the
 * values the engine knows are blanked out of its output and state changes (keys included) before
 * they are journaled. Attempts that read none pay nothing.
 */
function blankSecrets(host: TaskHost, ctx: AttemptContext, value: unknown, changes: Record<string, unknown>) {
  if (!ctx.usedSecrets || isWaitRequest(value)) return value
  const redact = (text: string) => host.capabilities.secrets.redact(text)
  for (const key of Object.keys(changes)) {
    const value = redactValue(changes[key], redact)
    // A key may name a secret too: the change is kept under the redacted key.
    const redactedKey = redact(key)
    if (redactedKey !== key) delete changes[key]
    changes[redactedKey] = value
  }
  return redactValue(value, redact)
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
