import { isWaitRequest } from '../actions/wait'
import type { RunEvent } from '../core/run-reducer'
import type { ActionWait, CompiledTask } from '../types'
import type { AttemptAbort } from './attempt-abort'
import type { AttemptTimer } from './attempt-timer'

/** A `forEach` item waiting durably. */
export interface ItemWaiting {
  index: number
  wait: ActionWait
}

/** How the items of one attempt ended. */
export interface ItemsOutcome {
  outputs: unknown[]
  waits: ItemWaiting[]
}

/** What a `forEach` needs from its run. */
export interface ItemsHost {
  now(): number
  /** Item outputs already journaled for a `forEach` task (kept across attempts). */
  doneItems(taskId: string): ReadonlyMap<number, unknown>
  /** Sends an event into the run while the task works (progress, logs, item completions). */
  post(event: RunEvent): void
  /** Whether the run is paused: a `forEach` starts no new item then. */
  isPaused(): boolean
  /** Calls `listener` once when the paused run runs again; returns a function that removes it. */
  onResume(listener: () => void): () => void
}

/**
 * What an item's `call` returns when it did not start after all (it waited for a slot of an
 * engine limit, and the run was paused meanwhile): it runs again once the run resumes.
 */
export const ITEM_NOT_STARTED: unique symbol = Symbol('item not started')

/**
 * What an item's `call` returns when the result cache had the item's output: it is journaled
 * with its source, as the action did not run.
 */
export class CachedItemOutput {
  readonly output: unknown
  readonly fromRunId: string
  readonly fromTaskId: string

  constructor(output: unknown, fromRunId: string, fromTaskId: string) {
    this.output = output
    this.fromRunId = fromRunId
    this.fromTaskId = fromTaskId
  }
}

/**
 * Runs the items of a `forEach` task not yet journaled, `task.concurrency` at a time, and
 * journals each as it finishes (`task.item-completed`). While the run is paused no new item
 * starts: the items in flight finish and are recorded, then the attempt parks (its timeout held)
 * until the run resumes, so the task never completes while the run is paused.
 *
 * An item whose action asks for a durable wait (`delay`, `wait-for-event`) is not run further
 * here: it is returned in `waits`, and the task waits in the run state until every such item's
 * wait has ended (see `src/engine/waits/items-wait.ts`).
 *
 * @returns the outputs in item order (with a hole for each waiting item) and the waiting items;
 * rejects with the first item's failure.
 */
export async function runItems(
  host: ItemsHost,
  task: CompiledTask,
  items: unknown[],
  call: (index: number) => Promise<unknown>,
  controller: AttemptAbort,
  timer: AttemptTimer | undefined,
): Promise<ItemsOutcome> {
  const done = host.doneItems(task.id)
  const results = new Array<unknown>(items.length)
  const todo: number[] = []
  items.forEach((_, index) => {
    if (done.has(index)) results[index] = done.get(index)
    else todo.push(index)
  })
  const waits: ItemWaiting[] = []
  let next = 0
  let failure: { error: unknown } | undefined
  // A worker stops at a pause, a failure, an abort, or when no item is left.
  const worker = async () => {
    while (next < todo.length && !failure && !controller.aborted && !host.isPaused()) {
      const index = todo[next++]!
      try {
        const output = await call(index)
        // Back in the queue, next in line: the worker stops here, as the run is paused.
        if (output === ITEM_NOT_STARTED) {
          todo.splice(next, 0, index)
          continue
        }
        // The item waits in the run state, holding no item slot; the reducer records it when done.
        if (isWaitRequest(output)) {
          waits.push({ index, wait: output.wait })
          continue
        }
        if (output instanceof CachedItemOutput) {
          results[index] = output.output
          if (!controller.aborted) {
            const cached = { fromRunId: output.fromRunId, fromTaskId: output.fromTaskId }
            host.post({
              type: 'task.item-completed',
              taskId: task.id,
              index,
              count: items.length,
              output: output.output,
              cached,
              at: host.now(),
            })
          }
          continue
        }
        results[index] = output
        if (!controller.aborted) {
          host.post({
            type: 'task.item-completed',
            taskId: task.id,
            index,
            count: items.length,
            output,
            at: host.now(),
          })
        }
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  for (;;) {
    const workers = Math.min(task.concurrency, todo.length - next)
    await Promise.all(Array.from({ length: workers }, worker))
    if (failure) throw failure.error
    if (controller.aborted) return { outputs: results, waits }
    if (host.isPaused()) {
      timer?.hold()
      await untilResumed(host, controller)
      if (controller.aborted) return { outputs: results, waits }
      timer?.release()
    } else if (next >= todo.length) {
      return { outputs: results, waits }
    }
  }
}

/** Resolves when the run resumes or the attempt is aborted (cancel, skip, close), whichever is first. */
function untilResumed(host: ItemsHost, controller: AttemptAbort): Promise<void> {
  return new Promise((resolve) => {
    let stopResume: (() => void) | undefined
    const stopAbort = controller.onAbort(() => {
      stopResume?.()
      resolve()
    })
    if (controller.aborted) return
    stopResume = host.onResume(() => {
      stopAbort()
      resolve()
    })
  })
}
