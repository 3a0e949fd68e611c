import type { ActionWait, TaskWait } from '../../types'
import type { RunEventOf } from '../reducer/run-step'
import { approvalWait } from './approval-wait'
import { backoffWait } from './backoff-wait'
import { childWait } from './child-wait'
import { earliest, itemsWait } from './items-wait'
import { machineWait } from './machine-wait'
import { signalWait } from './signal-wait'
import { timerWait } from './timer-wait'
import type { WaitKind } from './wait-kind'

/** Every kind of durable wait, by its `kind`. */
const waitKinds: { [K in TaskWait['kind']]: WaitKind<Extract<TaskWait, { kind: K }>> } = {
  timer: timerWait,
  signal: signalWait,
  backoff: backoffWait,
  items: itemsWait,
  approval: approvalWait,
  machine: machineWait,
  child: childWait,
}

/** The rules of `wait`'s kind. */
export function kindOf<W extends TaskWait>(wait: W): WaitKind<W> {
  return waitKinds[wait.kind] as unknown as WaitKind<W>
}

/** The wait a `task.waiting` record describes (its shape predates waits as data, and stays). */
export function waitOf(e: RunEventOf<'task.waiting'>): TaskWait {
  if (e.items) {
    const items: Record<number, ActionWait> = {}
    for (const item of e.items) items[item.index] = itemWaitOf(item)
    const wait = { kind: 'items' as const, count: e.count ?? e.items.length, items }
    const until = earliest(wait)
    return until === undefined ? wait : { ...wait, until }
  }
  return itemWaitOf(e)
}

function itemWaitOf({
  until,
  signal,
  wait,
}: {
  until?: number
  signal?: string
  wait?: ActionWait
}): ActionWait {
  if (wait !== undefined) return wait
  if (signal !== undefined)
    return until === undefined ? { kind: 'signal', name: signal } : { kind: 'signal', name: signal, until }
  return { kind: 'timer', until: until! }
}
