import type { RunState, TaskState, TaskWait } from '../../types'

/** A task as snapshots kept it before waits were data: the timer and the signal as flat fields. */
type FlatWaitTask = TaskState & { deadline?: number; signal?: string }

/**
 * The run state of a snapshot written before waits were data, with each task's flat `deadline`
 * and `signal` turned into its `wait`. The snapshot itself is not changed; a state in the
 * current shape comes back as it is.
 */
export function upgradeTaskWaits(s: RunState): RunState {
  let tasks: Record<string, TaskState> | undefined
  for (const id in s.tasks) {
    const flat = s.tasks[id] as FlatWaitTask
    if (!('deadline' in flat) && !('signal' in flat)) continue
    const { deadline, signal, ...t } = flat
    const wait = waitOf(t.status, deadline, signal)
    tasks ??= { ...s.tasks }
    tasks[id] = wait ? { ...t, wait } : t
  }
  return tasks ? { ...s, tasks } : s
}

function waitOf(status: TaskState['status'], until?: number, signal?: string): TaskWait | undefined {
  if (status === 'retrying' && until !== undefined) return { kind: 'backoff', until }
  if (status !== 'waiting') return undefined
  if (signal !== undefined)
    return until === undefined ? { kind: 'signal', name: signal } : { kind: 'signal', name: signal, until }
  return until === undefined ? undefined : { kind: 'timer', until }
}
