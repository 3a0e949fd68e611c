import type { RunState, SignalWait, TaskState } from '../../types'
import type { RunEvent, RunStep } from '../reducer/run-step'
import { complete, failAttempt } from '../reducer/task-outcomes'
import { takeSignal } from '../signal-buffer'
import type { WaitKind } from './wait-kind'

/**
 * `wait-for-event`: a signal buffered before the task waited ends the wait on entry; a signal
 * that comes later ends it with its payload; at its deadline the attempt times out.
 */
export const signalWait: WaitKind<SignalWait> = {
  resolvedBy: new Set(['signal.received']),
  enter: (s, step, id, t, wait) => {
    const seq = takeBuffered(s, step, wait.name)
    // The payload is not in the run state: the executor adds it to the record from RunData.
    if (seq !== undefined) {
      // Ended before its timer was armed: nothing to disarm.
      t.wait = undefined
      const completed = { type: 'task.completed', taskId: id, attempt: t.attempts, signal: seq, at: step.at }
      complete(s, step, id, t, undefined, completed as RunEvent)
    }
  },
  awaits: (wait, name) => wait.name === name,
  receive: (s, step, id, t, _wait, e) => complete(s, step, id, t, e.payload),
  expire: (s, step, id, t, wait, e) => timeOut(s, step, id, t, wait, e.rand ?? 0.5),
}

/** The seq of the oldest buffered signal `name` still in time, taken out of the buffer. */
export function takeBuffered(s: RunState, step: RunStep, name: string): number | undefined {
  return takeSignal(s, name, step.at, (event) => step.record(s, event))?.seq
}

/**
 * No signal came in time: the attempt fails with `TIMEOUT` (retry and `onError` apply), its
 * retry spread by `rand`, the draw journaled with the `timer.fired` that timed it out.
 */
export function timeOut(
  s: RunState,
  step: RunStep,
  id: string,
  t: TaskState,
  wait: SignalWait,
  rand: number,
): void {
  const timeoutMs = step.at - (t.startedAt ?? step.at)
  step.record(s, { type: 'task.timed-out', taskId: id, attempt: t.attempts, timeoutMs, at: step.at })
  const message = `Task "${id}" waited ${timeoutMs} ms for signal "${wait.name}", which did not come`
  t.wait = undefined
  failAttempt(s, step, id, t, { error: { code: 'TIMEOUT', message }, rand, noRetry: false })
}
