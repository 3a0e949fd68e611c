import type { RunState } from '../types'

/**
 * When a run that only waits needs an executor again: the earliest of its waiting tasks'
 * deadlines (a `delay`'s end, a wait's timeout) and its own deadline; `'signal'` when it has
 * none and waits for events alone (a signal or a control call wakes it). `undefined` while the
 * run is not dormant: it is not running, or a task runs, is about to, or backs off before a retry.
 * A dormant run can leave memory: nothing of it happens until that time or that call.
 *
 * @example
 * dormantUntil(sleepingRun) // 1767225600000, the end of its `delay`
 */
export function dormantUntil(state: RunState): number | 'signal' | undefined {
  if (state.status !== 'running' || state.remaining === 0) return undefined
  // Checked on every commit: a run with work in flight or ready answers without a scan.
  if (state.inFlight > 0 || state.readyHead < state.ready.length) return undefined
  let until = state.deadline ?? Number.POSITIVE_INFINITY
  let waits = false
  for (const id in state.tasks) {
    const task = state.tasks[id]!
    switch (task.status) {
      case 'waiting':
        waits = true
        if (task.wait?.until !== undefined && task.wait.until < until) until = task.wait.until
        break
      case 'pending':
        // Behind a waiting task it waits too; ready or handed out to start, it is work to do now.
        if (task.dispatched || task.deps === 0) return undefined
        break
      case 'running':
      case 'retrying':
        return undefined
    }
  }
  if (!waits) return undefined
  return until === Number.POSITIVE_INFINITY ? 'signal' : until
}
