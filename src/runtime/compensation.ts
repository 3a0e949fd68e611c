import type { RunEvent } from '../core/run-reducer'
import { TaskError } from '../errors'
import type { JournalEntry } from '../store/store'
import type { CompiledTask } from '../types'
import { AttemptAbort } from './attempt-abort'
import type { RunExecutor } from './run-executor'
import { runTask } from './task-runner'
import { itemSlot } from './task-slots'

/**
 * Runs the `compensate` actions of the tasks completed after a checkpoint, newest first, one
 * at a time. Each gets the idempotency key `runId:taskId:compensate`, stable across repeated
 * rollbacks, and sees the run as it was (`tasks.<id>.output` of the task it undoes).
 * A compensation of a limited action takes a slot of its limit, as an attempt does, and gives it
 * back when it ends. Resolves to the ids of the tasks compensated; rejects at the first
 * compensation that fails, and with the engine's `ENGINE_CLOSED` once `closing` aborts (a wait
 * for a slot ends, a running compensation is aborted).
 */
export async function compensate(
  executor: RunExecutor,
  undone: readonly JournalEntry[],
  closing: AbortSignal,
): Promise<string[]> {
  const done: string[] = []
  for (let i = undone.length - 1; i >= 0; i--) {
    const entry = undone[i]!
    // A task completed from the result cache is undone as one whose action ran.
    if (entry.type !== 'task.completed' && entry.type !== 'task.cached') continue
    const task = executor.wf.tasks.get(entry.taskId)
    if (!task?.compensate) continue
    const undo: CompiledTask = {
      ...task,
      action: task.compensate.action,
      params: task.compensate.params,
      forEach: undefined,
      taskRefs:
        task.compensate.params && !task.compensate.params.static ? task.compensate.params.taskRefs : [],
    }
    const result = await compensateOne(executor, undo, `${executor.runId}:${task.id}:compensate`, closing)
    if (result?.type !== 'task.completed') {
      const reason = result?.type === 'task.failed' ? result.error.message : 'it timed out'
      throw new TaskError(
        'COMPENSATION_FAILED',
        `Compensation of task "${task.id}" (${task.compensate.action}) failed: ${reason}. Nothing was rolled back; fix the cause and roll back again (compensations that succeeded run again with the same idempotency key).`,
        {
          taskId: task.id,
          value: result,
        },
      )
    }
    done.push(task.id)
  }
  return done
}

/** One compensation: under its limit's slot if it has one, aborted when the engine closes. */
async function compensateOne(
  executor: RunExecutor,
  undo: CompiledTask,
  key: string,
  closing: AbortSignal,
): Promise<RunEvent | undefined> {
  const abort = new AttemptAbort()
  const onClose = () => abort.abort(closing.reason)
  if (closing.aborted) onClose()
  else closing.addEventListener('abort', onClose, { once: true })
  try {
    const limiter = executor.limiter
    const limit = limiter?.keyOf(undo)
    const slot = limit === undefined ? undefined : await itemSlot(limiter!, limit, abort, () => false)
    try {
      if (abort.aborted) throw abort.reason
      const result = await runTask(executor, undo, 1, abort, { key })
      if (abort.aborted) throw abort.reason
      return result
    } finally {
      slot?.release()
    }
  } finally {
    closing.removeEventListener('abort', onClose)
  }
}
