import type { JournalEntry } from '../store/store'
import type { CheckpointInfo } from '../types'

/**
 * The checkpoints of a run, read off its journal: a checkpoint is a position in the journal.
 * `runId:0` is the run's start (its `workflow.started` entry, before any task), so rolling back
 * to it undoes every task (a saga). Every `task.completed` entry is one (id `runId:seq`, costing
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
    } else if (entry.type === 'task.completed') {
      completed.add(entry.taskId)
      checkpoints.push({
        checkpointId: `${runId}:${entry.seq}`,
        runId,
        seq: entry.seq,
        at: entry.at,
        reason: `task ${entry.taskId} completed`,
        completedTasks: [...completed],
      })
    } else if (entry.type === 'task.retrying' && entry.manual) completed.delete(entry.taskId)
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
