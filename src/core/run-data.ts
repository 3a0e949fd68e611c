import type { WorkflowEvent } from '../types'

/** The data a run carries outside the machine: outputs live in the journal, not in snapshots. */
export interface RunData {
  outputs: Map<string, unknown>
  items: Map<string, Map<number, unknown>>
  state: Record<string, unknown>
  output?: unknown
  /** Payloads of the buffered signals (`RunState.signals`), by the seq of their `signal.received`. */
  signals: Map<number, unknown>
  /** The tasks whose last completion came from the result cache: the run and task that computed it. */
  cached: Map<string, { fromRunId: string; taskId: string }>
}

export function emptyRunData(): RunData {
  return { outputs: new Map(), items: new Map(), state: {}, signals: new Map(), cached: new Map() }
}

/** Folds a journal record into the run's data (live, and when a run is restored). */
export function keepData(data: RunData, event: WorkflowEvent): void {
  switch (event.type) {
    case 'task.completed':
      if (event.signal !== undefined) data.signals.delete(event.signal)
      data.outputs.set(event.taskId, event.output)
      data.items.delete(event.taskId)
      data.cached.delete(event.taskId)
      if (event.state) {
        for (const [key, value] of Object.entries(event.state)) {
          if (value === undefined) delete data.state[key]
          else data.state[key] = value
        }
      }
      break
    case 'task.cached':
      data.outputs.set(event.taskId, event.output)
      data.cached.set(event.taskId, { fromRunId: event.fromRunId, taskId: event.fromTaskId })
      break
    case 'task.item-completed': {
      if (event.signal !== undefined) data.signals.delete(event.signal)
      const items = data.items.get(event.taskId) ?? new Map<number, unknown>()
      items.set(event.index, event.output)
      data.items.set(event.taskId, items)
      break
    }
    case 'task.failed':
      if (event.continued) data.outputs.set(event.taskId, { error: event.error })
      break
    case 'workflow.forked':
      for (const { taskId, output } of event.completed) data.outputs.set(taskId, output)
      Object.assign(data.state, event.state)
      break
    case 'workflow.completed':
      data.output = event.output
      data.signals.clear()
      break
    case 'workflow.cancelled':
      data.signals.clear()
      break
    case 'signal.received':
      if (event.buffered) data.signals.set(event.seq, event.payload)
      break
    case 'signal.dropped':
      data.signals.delete(event.signalSeq)
      break
    case 'machine.transitioned':
      if (event.signal !== undefined) data.signals.delete(event.signal)
      break
  }
}
