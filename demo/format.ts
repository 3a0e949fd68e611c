import type { WorkflowEvent } from 'spindle'

/** A clock time with milliseconds: `18:31:02.417`. */
export function clockTime(at: number): string {
  const date = new Date(at)
  const time = date.toLocaleTimeString('en-GB', { hour12: false })
  return `${time}.${String(date.getMilliseconds()).padStart(3, '0')}`
}

/** A duration for people: `850 ms`, `2.4 s`, `1 min 5 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
}

/** What a refused call or a failed run says: `INVALID_STATE: Run … cannot be resumed`. */
export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { code, message } = error as { code?: unknown; message: unknown }
    return typeof code === 'string' ? `${code}: ${String(message)}` : String(message)
  }
  return String(error)
}

/** One line of detail for an event in the log; the type and task are shown beside it. */
export function describeEvent(event: WorkflowEvent): string {
  switch (event.type) {
    case 'workflow.queued':
    case 'workflow.started':
      return `${event.definitionId}@${event.version}`
    case 'workflow.paused':
      return event.error ? `${event.reason}: ${errorText(event.error)}` : event.reason
    case 'workflow.completed':
      return event.output === undefined ? '' : `output ${JSON.stringify(event.output)}`
    case 'workflow.failed':
      return errorText(event.error)
    case 'workflow.cancelled':
      return event.reason ?? ''
    case 'workflow.rolled-back':
      return `to ${event.checkpointId}`
    case 'workflow.recovered':
      return 'resumed by a new engine after a reload or crash'
    case 'task.started':
    case 'task.completed':
      return `attempt ${event.attempt}`
    case 'task.progress':
      return `${Math.round(event.fraction * 100)}%${event.note ? ` ${event.note}` : ''}`
    case 'task.log':
      return event.message
    case 'task.item-completed':
      return `item ${event.index}`
    case 'task.failed':
      return `attempt ${event.attempt}${event.final ? ' (final)' : ''}: ${errorText(event.error)}`
    case 'task.timed-out':
      return `attempt ${event.attempt} after ${duration(event.timeoutMs)}`
    case 'task.retrying':
      return event.manual ? 'retried by request' : `attempt ${event.attempt} in ${duration(event.delayMs)}`
    case 'task.skipped':
      return event.reason
    case 'task.waiting':
      return event.signal
        ? `for signal "${event.signal}"`
        : event.until
          ? `until ${clockTime(event.until)}`
          : ''
    case 'signal.received':
      return event.name
    case 'checkpoint.saved':
      return event.reason
    case 'approval.required':
      return `from ${event.approvers.join(', ')}`
    case 'approval.granted':
    case 'approval.rejected':
      return `by ${event.by}`
    case 'approval.escalated':
      return `to level ${event.level}`
    default:
      return ''
  }
}
