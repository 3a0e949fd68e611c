import type { CheckpointInfo, HistoryEntry as JournalEntry } from '../types'
import { emptyRunData, keepData } from './run-data'

/**
 * The checkpoints of a run, read off its journal: a checkpoint is a position in the journal.
 * `runId:0` is the run's start (its `workflow.started` entry, before any task), so rolling back
 * to it undoes every task (a saga). Every `task.completed` (or `task.cached`) entry is one (id `runId:seq`, costing
 * nothing extra), and so is every `checkpoint.saved` entry written on request. Each is listed
 * with the tasks completed by then. Rolled-back entries are not checkpoints any more.
 */
export function checkpointsOf(runId: string, entries: readonly JournalEntry[]): CheckpointInfo[] {
  const completed = new Set<string>()
  const checkpoints: CheckpointInfo[] = []
  for (const entry of entries) {
    if (entry.rolledBack) continue
    if (entry.type === 'workflow.started') {
      checkpoints.push({
        checkpointId: `${runId}:0`,
        runId,
        seq: entry.seq,
        at: entry.at,
        reason: 'before the first task',
        completedTasks: [],
      })
    } else if (entry.type === 'task.completed' || entry.type === 'task.cached') {
      completed.add(entry.taskId)
      checkpoints.push({
        checkpointId: `${runId}:${entry.seq}`,
        runId,
        seq: entry.seq,
        at: entry.at,
        reason: `task ${entry.taskId} completed${entry.type === 'task.cached' ? ' from the result cache' : ''}`,
        completedTasks: [...completed],
      })
    } else if (entry.type === 'task.retrying' && entry.manual) completed.delete(entry.taskId)
    else if (entry.type === 'workflow.forked') for (const task of entry.completed) completed.add(task.taskId)
    else if (entry.type === 'checkpoint.saved') {
      checkpoints.push({
        checkpointId: entry.checkpointId,
        runId,
        seq: entry.seq,
        at: entry.at,
        reason: entry.reason,
        completedTasks: [...completed],
      })
    }
  }
  return checkpoints
}

/** What a fork from a checkpoint carries over: the tasks completed there, with their outputs, and the shared state. */
export interface Carried {
  completed: { taskId: string; attempt: number; output?: unknown }[]
  state: Record<string, unknown>
}

/**
 * What a run had at `checkpoint` (one of `checkpointsOf(runId, entries)`), read off its journal:
 * the output of each task completed by then, from its last completion before the checkpoint, and
 * the shared state as those completions left it.
 */
export function carriedAt(entries: readonly JournalEntry[], checkpoint: CheckpointInfo): Carried {
  const data = emptyRunData()
  const attempts = new Map<string, number>()
  for (const entry of entries) {
    if (entry.rolledBack || entry.seq > checkpoint.seq) continue
    keepData(data, entry)
    if (entry.type === 'task.completed' || entry.type === 'task.cached')
      attempts.set(entry.taskId, entry.attempt)
    else if (entry.type === 'workflow.forked')
      for (const task of entry.completed) attempts.set(task.taskId, task.attempt)
  }
  return {
    completed: checkpoint.completedTasks.map((taskId) => ({
      taskId,
      attempt: attempts.get(taskId) ?? 0,
      output: data.outputs.get(taskId),
    })),
    state: data.state,
  }
}
