import { takeSignal } from '../signal-buffer'
import type { HandlerTable, RunEvent } from './run-step'
import { complete, failAttempt } from './task-outcomes'
import { enqueue, releaseSlot } from './task-scheduling'

/** Durable waits: a task parks in the run state, and its timer ends the wait or the back-off. */
export const waits = {
  'task.waiting': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    if (t.startedAt !== undefined) t.runMs += e.at - t.startedAt
    t.status = 'waiting'
    releaseSlot(s, t)
    t.deadline = e.until
    t.signal = e.signal
    step.record(s, e)
    if (e.until !== undefined) step.command({ type: 'arm', taskId: e.taskId, deadline: e.until })
    const buffered =
      e.signal === undefined ? undefined : takeSignal(s, e.signal, e.at, (event) => step.record(s, event))
    // The payload is not in the run state: the executor adds it to the record from RunData.
    if (buffered) {
      const completed = {
        type: 'task.completed',
        taskId: e.taskId,
        attempt: t.attempts,
        signal: buffered.seq,
        at: e.at,
      }
      complete(s, step, e.taskId, t, undefined, completed as RunEvent)
    }
  },
  'timer.fired': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    t.deadline = undefined
    step.record(s, e)
    if (t.status === 'retrying') {
      t.status = 'pending'
      enqueue(s, step, e.taskId, t)
    } else if (t.signal !== undefined) {
      const timeoutMs = e.at - (t.startedAt ?? e.at)
      step.record(s, { type: 'task.timed-out', taskId: e.taskId, attempt: t.attempts, timeoutMs, at: e.at })
      const message = `Task "${e.taskId}" waited ${timeoutMs} ms for signal "${t.signal}", which did not come`
      t.signal = undefined
      failAttempt(s, step, e.taskId, t, { error: { code: 'TIMEOUT', message }, rand: 0.5, noRetry: false })
    } else {
      complete(s, step, e.taskId, t, undefined)
    }
  },
} satisfies Pick<HandlerTable, 'task.waiting' | 'timer.fired'>
