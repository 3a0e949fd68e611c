import { kindOf, waitOf } from '../waits/wait-kinds'
import type { HandlerTable } from './run-step'
import { releaseSlot } from './task-scheduling'

/**
 * Durable waits: a task parks in the run state with its wait as data, and the wait's kind says
 * what entering it records and what its deadline does (`src/engine/waits/`).
 */
export const waits = {
  'task.waiting': (s, e, step) => {
    // `enter` runs before the timer is armed: a wait it ends leaves no timer behind.
    const t = s.tasks[e.taskId]!
    if (t.startedAt !== undefined) t.runMs += e.at - t.startedAt
    t.status = 'waiting'
    releaseSlot(s, t)
    const wait = waitOf(e)
    t.wait = wait
    step.record(s, e)
    kindOf(wait).enter(s, step, e.taskId, t, wait)
    // Armed only if the wait outlived its entry (a buffered signal may have ended it already).
    if (t.wait === wait && wait.until !== undefined)
      step.command({ type: 'arm', taskId: e.taskId, deadline: wait.until })
  },
  'timer.fired': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    const wait = t.wait!
    // The timer is spent: the wait's kind sets a wait again if one goes on.
    t.wait = undefined
    step.record(s, e)
    kindOf(wait).expire(s, step, e.taskId, t, wait, e)
  },
} satisfies Pick<HandlerTable, 'task.waiting' | 'timer.fired'>
