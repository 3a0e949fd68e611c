import { isWaitRequest } from '../actions/wait'
import type { RunEvent } from '../core/run-reducer'
import { retryHints, TaskError, TimeoutError, toErrorInfo } from '../errors'
import type { ActionWait, CompiledTask, ErrorInfo } from '../types'
import type { AttemptAbort } from './attempt-abort'
import { carrying, recordedParams } from './attempt-params'
import { AttemptTimer } from './attempt-timer'
import { describe } from './attempt-values'
import type { CacheSkipReason } from './cache-key'
import { cachedAttempt, skippedCache } from './cached-attempt'
import { cachedItem } from './cached-item'
import { invokeAction, isThenable, type TaskHost } from './invoke-action'
import { ITEM_NOT_STARTED, type ItemsOutcome, runItems } from './run-items'
import { itemSlot } from './task-slots'

export type { RunnableAction, TaskHost } from './invoke-action'

/**
 * Runs one attempt of a task and returns the event that ends it: `task.completed`,
 * `task.failed`, `task.timed-out` or `task.waiting`; `undefined` when the attempt was aborted
 * by the run (cancel, skip, failure elsewhere), whose state already says what happened.
 *
 * An action that returns a value (no promise) with no schemas to check ends the attempt at
 * once: the event comes back synchronously, not as a promise, so the common case of a step
 * costs no promise scheduling here. The action's failures are `task.failed` events; only a
 * failure of the runner itself (the clock or the random source) throws, or rejects.
 */
export function runTask(
  host: TaskHost,
  task: CompiledTask,
  attempt: number,
  controller: AttemptAbort,
  options?: { key?: string },
): RunEvent | undefined | Promise<RunEvent | undefined> {
  const attemptRun = new Attempt(host, task, attempt, controller, options?.key)
  let params: Record<string, unknown>
  try {
    if (task.forEach) return attemptRun.items()
    params = resolveParams(host, task)
  } catch (error) {
    return attemptRun.failed(error)
  }
  const recorded = recordedParams(host, task, params)
  const result = attemptWith(host, task, attemptRun, params, attempt, controller)
  return recorded ? carrying(result, recorded) : result
}

/** One attempt with its resolved params: through the result cache when the task has one. */
function attemptWith(
  host: TaskHost,
  task: CompiledTask,
  attemptRun: Attempt,
  params: Record<string, unknown>,
  attempt: number,
  controller: AttemptAbort,
): RunEvent | undefined | Promise<RunEvent | undefined> {
  if (task.cache && host.resultCache) {
    const spec = { task, attempt, controller, params, cache: host.resultCache }
    // A cache that cannot be read fails the attempt like any storage failure: it is retried.
    return cachedAttempt(host, spec, () => attemptOnce(attemptRun, params)).catch((error: unknown) =>
      attemptRun.failed(error),
    )
  }
  return attemptOnce(attemptRun, params)
}

function attemptOnce(attemptRun: Attempt, params: Record<string, unknown>) {
  let output: unknown
  try {
    output = attemptRun.call(params)
  } catch (error) {
    return attemptRun.failed(error)
  }
  return ended(attemptRun, output)
}

function ended(attemptRun: Attempt, output: unknown): RunEvent | undefined | Promise<RunEvent | undefined> {
  if (!isThenable(output)) return attemptRun.succeeded(output)
  return Promise.resolve(output).then(
    (value) => attemptRun.succeeded(value),
    (error: unknown) => attemptRun.failed(error),
  )
}

/** One attempt of a task: its state changes so far, its timer, and how it ends. */
class Attempt {
  readonly #host: TaskHost
  readonly #task: CompiledTask
  readonly #attempt: number
  readonly #controller: AttemptAbort
  readonly #key: string | undefined
  readonly #changes: Record<string, unknown> = {}
  /** Under `forEach` with `cache`: the first reason an item ran without it (or was not kept). */
  #cacheSkipped: CacheSkipReason | undefined
  readonly #timer: AttemptTimer | undefined

  constructor(host: TaskHost, task: CompiledTask, attempt: number, controller: AttemptAbort, key?: string) {
    this.#host = host
    this.#task = task
    this.#attempt = attempt
    this.#controller = controller
    this.#key = key
    this.#timer =
      task.timeoutMs === undefined ? undefined : new AttemptTimer(host, task.id, task.timeoutMs, controller)
  }

  /** Calls the action once: its output, or a promise of it when anything on the way is asynchronous. */
  call(params: Record<string, unknown>, index?: number): unknown {
    return invokeAction(
      this.#host,
      this.#task,
      this.#attempt,
      this.#controller,
      params,
      this.#changes,
      index,
      this.#key,
    )
  }

  /** Runs the `forEach` items; the event that ends the attempt once they have all ended or waited. */
  items(): Promise<RunEvent | undefined> {
    const host = this.#host
    const task = this.#task
    const items = task.forEach!.evaluate(host.scope(task.taskRefs))
    if (!Array.isArray(items)) {
      throw new TaskError(
        'EXPRESSION_FAILED',
        `forEach of task "${task.id}" must give an array, got ${describe(items)}.`,
        { taskId: task.id, value: items },
      )
    }
    const cache = task.cache ? host.resultCache : undefined
    const call = async (index: number) => {
      const params = resolveParams(host, task, { item: items[index], index })
      if (!cache) return this.call(params, index)
      // Each item is cached under a key of its own (the item joins it).
      const spec = {
        task,
        item: items[index],
        params,
        cache,
        changedState: () => Object.keys(this.#changes).length > 0,
        skipped: (reason: CacheSkipReason) => {
          this.#cacheSkipped ??= reason
        },
      }
      return cachedItem(host, spec, async () => this.call(params, index))
    }
    // Under an engine limit each item takes a slot, held until the item ends or waits.
    const key = host.limiter?.keyOf(task)
    const item =
      key === undefined
        ? call
        : async (index: number) => {
            const slot = await itemSlot(host.limiter!, key, this.#controller, () => host.isPaused())
            // Paused while it waited: no new item starts, so the slot goes to the next waiter.
            if (slot === undefined || host.isPaused()) {
              slot?.release()
              return ITEM_NOT_STARTED
            }
            try {
              return await call(index)
            } finally {
              slot.release()
            }
          }
    return runItems(host, task, items, item, this.#controller, this.#timer).then(
      (outcome) => skippedCache(this.#itemsEnded(outcome, items.length), this.#cacheSkipped),
      (error: unknown) => this.failed(error),
    )
  }

  #itemsEnded(outcome: ItemsOutcome, count: number): RunEvent | undefined {
    if (outcome.waits.length === 0) return this.succeeded(outcome.outputs)
    this.#timer?.clear()
    if (this.#controller.aborted) return this.#ended()
    const items = outcome.waits.map(({ index, wait }) => ({ index, ...waitFields(wait) }))
    return { type: 'task.waiting', taskId: this.#task.id, items, count, at: this.#host.now() }
  }

  succeeded(output: unknown): RunEvent | undefined {
    this.#timer?.clear()
    const host = this.#host
    const taskId = this.#task.id
    if (this.#controller.aborted) return this.#ended()
    if (isWaitRequest(output))
      return { type: 'task.waiting', taskId, ...waitFields(output.wait), at: host.now() }
    const attempt = this.#attempt
    // Two literals rather than a conditional spread, which takes the engine's slow path every step.
    for (const _ in this.#changes) {
      return { type: 'task.completed', taskId, attempt, output, state: this.#changes, at: host.now() }
    }
    return { type: 'task.completed', taskId, attempt, output, at: host.now() }
  }

  failed(error: unknown): RunEvent | undefined {
    this.#timer?.clear()
    if (this.#controller.aborted) return this.#ended()
    const host = this.#host
    // An action's own message or code may quote a secret it used: the journal gets it blanked out.
    const info = redactInfo(toErrorInfo(error), (text) => host.capabilities.secrets.redact(text))
    const hints = retryHints(error)
    const noRetry = hints.noRetry || info.code === 'INPUT_INVALID' || info.code === 'EXPRESSION_FAILED'
    const event: RunEvent = {
      type: 'task.failed',
      taskId: this.#task.id,
      attempt: this.#attempt,
      error: info,
      noRetry,
      rand: host.random(),
      at: host.now(),
    }
    if (hints.retryAfterMs !== undefined) event.retryAfterMs = hints.retryAfterMs
    return event
  }

  #ended(): RunEvent | undefined {
    const reason = this.#controller.reason
    if (!(reason instanceof TimeoutError)) return undefined
    return {
      type: 'task.timed-out',
      taskId: this.#task.id,
      attempt: this.#attempt,
      timeoutMs: this.#task.timeoutMs!,
      rand: this.#host.random(),
      at: this.#host.now(),
    }
  }
}

/** The params of a task without any: frozen like every static params object, so one serves all. */
const NO_PARAMS: Record<string, unknown> = Object.freeze({})

function resolveParams(host: TaskHost, task: CompiledTask, extra?: { item: unknown; index: number }) {
  const params = task.params
  if (!params) return NO_PARAMS
  return params.static ? params.value : params.resolve(host.scope(params.taskRefs, extra))
}

/**
 * A wait as the fields of its `task.waiting` record: timers and signals in the record's older
 * `until` and `signal` fields, every other kind whole, as `wait`.
 */
function waitFields(wait: ActionWait): { until?: number; signal?: string; wait?: ActionWait } {
  // A signal wait with a `match` has no older shape: it is recorded whole.
  if (
    (wait.kind !== 'timer' && wait.kind !== 'signal') ||
    (wait.kind === 'signal' && wait.match !== undefined)
  )
    return { wait }
  const until = wait.until === undefined ? {} : { until: wait.until }
  return wait.kind === 'signal' ? { signal: wait.name, ...until } : until
}

/** `info` with `redact` applied to its code and message, and to those of its causes. */
function redactInfo(info: ErrorInfo, redact: (text: string) => string): ErrorInfo {
  const redacted: ErrorInfo = { ...info, code: redact(info.code), message: redact(info.message) }
  if (info.cause) redacted.cause = redactInfo(info.cause, redact)
  return redacted
}
