import type { ItemsWait, RunState, TaskState } from '../../types'
import type { RunEvent, RunEventOf, RunStep } from '../reducer/run-step'
import { complete, failAttempt } from '../reducer/task-outcomes'
import { type ApprovalAfterVote, castVote, expireLevel, requireApproval } from './approval-rules'
import { takeBuffered, timeOut } from './signal-wait'
import type { WaitKind } from './wait-kind'

/**
 * A `forEach` whose items wait, each as its own `delay`, `wait-for-event` or `approval` would:
 * every item whose wait ends is recorded (`task.item-completed`), and the task completes once no
 * item waits any more. An item's signal timeout (or approval timeout under `onTimeout: 'fail'`)
 * fails the attempt; a retry runs only the items not recorded yet. Items resolve in index order
 * when several are due at once. An item's approval follows the approval rules
 * (`approval-rules.ts`), its events carrying the item's `index`.
 */
export const itemsWait: WaitKind<ItemsWait> = {
  resolvedBy: new Set(['signal.received', 'approval.voted']),
  enter: (s, step, id, t, wait) => {
    for (const key in wait.items) {
      const item = wait.items[key]!
      if (item.kind === 'approval') requireApproval(s, step, id, Number(key), item)
      if (item.kind !== 'signal') continue
      const seq = takeBuffered(s, step, item.name)
      if (seq !== undefined) resolveItem(s, step, id, t, wait, Number(key), undefined, seq)
    }
    // Its timer is not armed yet: the items that ended take their deadlines with them.
    wait.until = earliest(wait)
    finishIfDone(s, step, id, t, wait)
  },
  awaits: (wait, name) => firstAwaiting(wait, name) !== undefined,
  receive: (s, step, id, t, wait, e) => {
    resolveItem(s, step, id, t, wait, firstAwaiting(wait, e.name)!, e.payload)
    finishIfDone(s, step, id, t, wait)
  },
  expire: (s, step, id, t, wait, e) => {
    for (const key in wait.items) {
      const item = wait.items[key]!
      if (item.until === undefined || item.until > step.at) continue
      if (item.kind === 'signal') {
        timeOut(s, step, id, t, item, e.rand ?? 0.5)
        return
      }
      if (item.kind === 'approval') {
        const next = expireLevel(s, step, id, Number(key), item)
        if ('failure' in next) {
          failAttempt(s, step, id, t, { error: next.failure, rand: e.rand ?? 0.5, noRetry: true })
          return
        }
        followItem(s, step, id, t, wait, Number(key), next)
        continue
      }
      resolveItem(s, step, id, t, wait, Number(key), undefined)
    }
    wait.until = earliest(wait)
    t.wait = wait
    if (wait.until !== undefined) step.command({ type: 'arm', taskId: id, deadline: wait.until })
    finishIfDone(s, step, id, t, wait)
  },
}

/** A vote on item `e.index`'s approval, `approval.voted` recorded already. */
export function voteOnItem(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  wait: ItemsWait,
  e: RunEventOf<'approval.voted'>,
): void {
  const index = e.index!
  const item = wait.items[index]!
  if (item.kind !== 'approval') return
  followItem(s, step, id, t, wait, index, castVote(s, step, item, e))
  finishIfDone(s, step, id, t, wait)
}

/** An item's approval goes on (its wait replaced, never changed in place) or ends the item. */
function followItem(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  wait: ItemsWait,
  index: number,
  next: ApprovalAfterVote,
): void {
  if ('wait' in next) wait.items[index] = next.wait
  else resolveItem(s, step, id, t, wait, index, next.output)
}

/** The earliest deadline among the items still waiting. */
export function earliest(wait: ItemsWait): number | undefined {
  let until: number | undefined
  for (const key in wait.items) {
    const at = wait.items[key]!.until
    if (at !== undefined && (until === undefined || at < until)) until = at
  }
  return until
}

function firstAwaiting(wait: ItemsWait, name: string): number | undefined {
  for (const key in wait.items) {
    const item = wait.items[key]!
    if (item.kind === 'signal' && item.name === name) return Number(key)
  }
  return undefined
}

/** Records the item's end (its output, or a buffered signal's seq) and takes it out of the wait. */
export function resolveItem(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  wait: ItemsWait,
  index: number,
  output: unknown,
  signal?: number,
): void {
  delete wait.items[index]
  t.itemsDone = (t.itemsDone ?? 0) + 1
  // A buffered signal's payload is not in the run state: the executor adds it from RunData.
  const source = signal === undefined ? { output } : { signal }
  step.record(s, {
    type: 'task.item-completed',
    taskId: id,
    index,
    count: wait.count,
    ...source,
    at: step.at,
  })
}

/** Completes the task once no item waits any more. */
export function finishIfDone(s: RunState, step: RunStep, id: string, t: TaskState, wait: ItemsWait): void {
  for (const _ in wait.items) return
  // The executor fills the output in from the items' records.
  const completed = {
    type: 'task.completed',
    taskId: id,
    attempt: t.attempts,
    items: wait.count,
    at: step.at,
  }
  complete(s, step, id, t, undefined, completed as RunEvent)
}
