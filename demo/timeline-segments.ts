import type { WorkflowDefinition, WorkflowEvent } from 'spindle'

export type SegmentKind = 'queued' | 'running' | 'waiting' | 'backoff'

/** A stretch of one task's life: `attempt` is the attempt it belongs to (or follows, for back-off). */
export interface Segment {
  taskId: string
  attempt: number
  kind: SegmentKind
  from: number
  /** Undefined while it lasts. */
  to?: number
}

/** A run's checkpoint as the timeline marks it: its start, each task completion, each saved one. */
export interface CheckpointMark {
  seq: number
  at: number
  label: string
}

/** The checkpoints of a run's events, as `engine.checkpoints()` lists them (rolled-back ones left out). */
export function checkpointsFrom(events: readonly WorkflowEvent[]): CheckpointMark[] {
  const marks: CheckpointMark[] = []
  for (const event of events) {
    if ((event as { rolledBack?: boolean }).rolledBack) continue
    if (event.type === 'workflow.started') marks.push({ seq: 0, at: event.at, label: 'start' })
    else if (event.type === 'task.completed' || event.type === 'task.cached')
      marks.push({ seq: event.seq, at: event.at, label: `after ${event.taskId}` })
    else if (event.type === 'checkpoint.saved')
      marks.push({ seq: event.seq, at: event.at, label: event.reason })
  }
  return marks
}

const ENDS = new Set(['task.completed', 'task.cached', 'task.failed', 'task.skipped', 'task.timed-out'])

/**
 * A run's tasks as segments over time, from its events in journal order: queued (ready — its
 * dependencies ended — but not started), running (an attempt, until it waits or ends), waiting
 * (for a timer, a signal, an approval, a child…) and back-off (between a failed attempt and the
 * next). Open segments end when the run does.
 *
 * @example
 * segmentsFrom(await engine.history(runId), definition) // [{ taskId: 'fetch', attempt: 1, kind: 'running', from, to }, …]
 */
export function segmentsFrom(
  events: readonly WorkflowEvent[],
  definition: WorkflowDefinition | undefined,
): Segment[] {
  const segments: Segment[] = []
  const open = new Map<string, Segment>()
  const ended = new Map<string, number>()
  const attempts = new Map<string, number>()
  let runStart: number | undefined
  let runEnd: number | undefined
  const close = (taskId: string, at: number) => {
    const segment = open.get(taskId)
    if (segment) segment.to = at
    open.delete(taskId)
  }
  const start = (taskId: string, kind: SegmentKind, at: number, attempt: number) => {
    close(taskId, at)
    const segment: Segment = { taskId, attempt, kind, from: at }
    segments.push(segment)
    open.set(taskId, segment)
  }
  for (const event of events) {
    if ((event as { rolledBack?: boolean }).rolledBack) continue
    if (event.type === 'workflow.started') runStart ??= event.at
    if (
      event.type === 'workflow.completed' ||
      event.type === 'workflow.failed' ||
      event.type === 'workflow.cancelled'
    )
      runEnd = event.at
    if (!('taskId' in event)) continue
    const taskId = event.taskId
    switch (event.type) {
      case 'task.started': {
        attempts.set(taskId, event.attempt)
        const previous = open.get(taskId)
        if (!previous && event.attempt === 1) {
          const deps = definition?.tasks[taskId]?.dependsOn ?? []
          const ready = Math.max(runStart ?? event.at, ...deps.map((dep) => ended.get(dep) ?? 0))
          if (ready < event.at)
            segments.push({ taskId, attempt: 1, kind: 'queued', from: ready, to: event.at })
        }
        start(taskId, 'running', event.at, event.attempt)
        break
      }
      case 'task.waiting':
        start(taskId, 'waiting', event.at, attempts.get(taskId) ?? 1)
        break
      case 'task.retrying':
        start(taskId, 'backoff', event.at, event.attempt)
        break
      default:
        if (ENDS.has(event.type)) {
          close(taskId, event.at)
          ended.set(taskId, event.at)
        }
    }
  }
  if (runEnd !== undefined) for (const taskId of [...open.keys()]) close(taskId, runEnd)
  return segments
}
