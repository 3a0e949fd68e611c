import type { ChildRunWait, ItemsWait, RunState, TaskState } from '../../types'
import type { RunEventOf } from '../reducer/run-step'
import type { WaitKind } from './wait-kind'

/**
 * `subworkflow`: the task waits for its child run to end. No signal and no deadline ends it:
 * `child.completed` completes the task with the child's output and `child.failed` fails the
 * attempt with `CHILD_FAILED` (see `reducer/child-runs.ts`). The host sends them when the child
 * ends, and again from what the store says when the parent enters the wait or is restored, so a
 * child that ended while the parent was out of memory, in another tab, or before the wait began
 * is never missed.
 */
export const childWait: WaitKind<ChildRunWait> = {
  resolvedBy: new Set(['child.completed', 'child.failed']),
  enter: () => {},
  awaits: () => false,
  receive: () => {},
  // It has no deadline: its timer is never armed.
  expire: () => {},
}

/** Whether `e` is the end of the child run that the task (or its item `e.index`) waits for. */
export function awaitsChild(
  t: TaskState,
  e: RunEventOf<'child.completed'> | RunEventOf<'child.failed'>,
): boolean {
  if (t.status !== 'waiting' || t.wait === undefined) return false
  const wait = t.wait
  if (wait.kind === 'child') return e.index === undefined && wait.runId === e.childRunId
  if (wait.kind !== 'items' || e.index === undefined) return false
  const item = (wait as ItemsWait).items[e.index]
  return item?.kind === 'child' && item.runId === e.childRunId
}

/** The children a run's tasks wait for now: each with the task (and item) waiting. */
export function awaitedChildren(s: RunState): { runId: string; taskId: string; index?: number }[] {
  const awaited: { runId: string; taskId: string; index?: number }[] = []
  for (const taskId in s.tasks) {
    const wait = s.tasks[taskId]!.wait
    if (s.tasks[taskId]!.status !== 'waiting' || wait === undefined) continue
    if (wait.kind === 'child') awaited.push({ runId: wait.runId, taskId })
    else if (wait.kind === 'items') {
      for (const key in wait.items) {
        const item = wait.items[key]!
        if (item.kind === 'child') awaited.push({ runId: item.runId, taskId, index: Number(key) })
      }
    }
  }
  return awaited
}
