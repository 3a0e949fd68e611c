import type { JournalEntry, OutputRecord } from './store'

/**
 * The output record of a journal entry that carries data a restored run needs (see
 * `OutputRecord`), or `undefined` for every other entry.
 */
export function outputRecordOf(entry: JournalEntry): OutputRecord | undefined {
  const { runId, seq } = entry
  switch (entry.type) {
    case 'task.completed':
    case 'task.cached':
      return { runId, key: entry.taskId, seq, entry }
    case 'task.item-completed':
      return { runId, key: `${entry.taskId}[${entry.index}]`, seq, entry }
    case 'task.failed':
      return entry.continued ? { runId, key: entry.taskId, seq, entry } : undefined
    // Every output it carries, under a key no task id can have (task ids have no dot).
    case 'workflow.forked':
      return { runId, key: 'workflow.forked', seq, entry }
    default:
      return undefined
  }
}
