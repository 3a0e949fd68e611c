import { ArgumentError } from '../../errors'
import type { Progress, RunState, TaskRef } from '../../types'

/**
 * The progress of a run, computed from its state in one pass over its tasks.
 *
 * - `completed`: tasks completed or skipped, plus failed tasks the run continued past
 *   (`onError: 'continue'`).
 * - `percent`: `completed / total` as a whole number, rounded down so that 100 means every task
 *   is done (an empty run is 100).
 * - `running`: the tasks in status `running`, with their name from `names` and their start time.
 * - `tasks[].durationMs`: time spent running over all attempts; for a running task, plus
 *   `now - startedAt` when `now` is given.
 *
 * @param state the run's state (the run machine's context)
 * @param names task names by task id, from the definition
 * @param now the current time in ms since the epoch; without it, running attempts count as 0 ms
 * @throws {ArgumentError} `INVALID_ARGUMENT` when `now` is given and is not a finite number
 *
 * @example
 * const progress = computeProgress(runState, new Map([['fetch', 'Fetch order']]), Date.now())
 * progress.percent // 40
 * progress.running // [{ id: 'fetch', name: 'Fetch order', startedAt: 1718000000000 }]
 */
export function computeProgress(
  state: RunState,
  names?: ReadonlyMap<string, string | undefined>,
  now?: number,
): Progress {
  return progressOfTasks(state, Object.keys(state.tasks), names, now)
}

/**
 * `computeProgress` over the tasks `ids`, which must be the keys of `state.tasks` in their order:
 * a caller that keeps a run's task ids spares the walk of a large table's keys (see `healthOfTasks`).
 *
 * @throws {ArgumentError} `INVALID_ARGUMENT` when `now` is given and is not a finite number
 */
export function progressOfTasks(
  state: RunState,
  ids: readonly string[],
  names?: ReadonlyMap<string, string | undefined>,
  now?: number,
): Progress {
  if (now !== undefined && !Number.isFinite(now)) {
    throw new ArgumentError(
      `computeProgress: now must be a finite time in ms since the epoch, got ${String(now)}. Pass clock.now() or leave it out.`,
      { value: now },
    )
  }
  const running: TaskRef[] = []
  const tasks: Progress['tasks'] = []
  let completed = 0
  let total = 0
  for (const id of ids) {
    const task = state.tasks[id]!
    total++
    const status = task.status
    if (status === 'completed' || status === 'skipped' || (status === 'failed' && task.continued === true)) {
      completed++
    }
    let durationMs = task.runMs
    if (status === 'running') {
      const ref: TaskRef = { id }
      const name = names?.get(id)
      if (name !== undefined) ref.name = name
      if (task.startedAt !== undefined) {
        ref.startedAt = task.startedAt
        if (now !== undefined && now > task.startedAt) durationMs += now - task.startedAt
      }
      running.push(ref)
    }
    tasks.push({ id, status, attempts: task.attempts, durationMs })
  }
  // Integer arithmetic first: (29 / 100) * 100 is 28.999…, 29 * 100 / 100 is exactly 29.
  const percent = total === 0 ? 100 : Math.floor((completed * 100) / total)
  return { runId: state.runId, status: state.status, completed, total, percent, running, tasks }
}
