import type { WorkflowEvent } from '../types'

/** The data a run carries outside the machine: outputs live in the journal, not in snapshots. */
export interface RunData {
  outputs: Map<string, unknown>
  items: Map<string, Map<number, unknown>>
  state: Record<string, unknown>
  output?: unknown
}

export function emptyRunData(): RunData {
  return { outputs: new Map(), items: new Map(), state: {} }
}

/** Folds a journal record into the run's data (live, and when a run is restored). */
export function keepData(data: RunData, event: WorkflowEvent): void {
  switch (event.type) {
    case 'task.completed':
      data.outputs.set(event.taskId, event.output)
      data.items.delete(event.taskId)
      if (event.state) {
        for (const [key, value] of Object.entries(event.state)) {
          if (value === undefined) delete data.state[key]
          else data.state[key] = value
        }
      }
      break
    case 'task.item-completed': {
      const items = data.items.get(event.taskId) ?? new Map<number, unknown>()
      items.set(event.index, event.output)
      data.items.set(event.taskId, items)
      break
    }
    case 'task.failed':
      if (event.continued) data.outputs.set(event.taskId, { error: event.error })
      break
    case 'workflow.completed':
      data.output = event.output
      break
  }
}
