import type { RunState, WorkflowEvent } from '../types'

/** Events after which a run may no longer hold a slot: it paused, or its tasks went to wait. */
const FREES_A_SLOT: ReadonlySet<WorkflowEvent['type']> = new Set([
  'workflow.paused',
  'task.waiting',
  'task.retrying',
  'task.completed',
  'task.failed',
  'task.skipped',
  'task.timed-out',
])

/**
 * Whether a run takes a `maxConcurrentRuns` slot: it is running and one of its tasks executes
 * (or is about to). A paused run, and one whose tasks all wait (a delay, an event, a retry
 * back-off), take none; when such a run goes on, it does so at once, even above the limit.
 */
export function holdsSlot(state: RunState): boolean {
  if (state.status !== 'running') return false
  for (const id in state.tasks) {
    const task = state.tasks[id]!
    if (task.status === 'running' || (task.status === 'pending' && task.dispatched)) return true
  }
  return false
}

/** Whether `event` may have freed its run's slot, so a queued run may start. */
export function freesASlot(event: WorkflowEvent): boolean {
  return FREES_A_SLOT.has(event.type)
}
