import type { MachineWait } from '../../types'
import { takeSignal } from '../signal-buffer'
import type { HandlerTable } from './run-step'
import { complete, failAttempt } from './task-outcomes'

/*
 * Where a machine's transition runs: in the runtime, not here. The reducer must replay the same
 * way on the page (replicas, without the app's machines) and in a worker whose machine changed
 * since; so the runtime runs the machine on the signal it takes and journals the outcome in the
 * same write as the signal, and the reducer applies that outcome as data. A replay reads it back,
 * never running the machine (or its actions) again.
 */
export const machines = {
  'machine.transitioned': (s, e, step) => {
    const t = s.tasks[e.taskId]!
    const wait = t.wait as MachineWait
    step.record(s, e)
    // A signal kept before the machine's state took it: out of the buffer now.
    if (e.signal !== undefined) takeSignal(s, e.event, step.at, (event) => step.record(s, event))
    switch (e.status) {
      case 'active':
        // The wait came frozen with its journal record: a new one, not a change in place.
        t.wait = { ...wait, snapshot: e.snapshot, accepts: e.accepts ?? [] }
        return
      case 'done':
        complete(s, step, e.taskId, t, e.output)
        return
      case 'error': {
        const error = e.error ?? {
          code: 'MACHINE_FAILED',
          message: `The machine of task "${e.taskId}" failed`,
        }
        t.wait = undefined
        failAttempt(s, step, e.taskId, t, {
          error,
          rand: e.rand ?? 0.5,
          noRetry: error.code === 'INPUT_INVALID',
        })
      }
    }
  },
} satisfies Pick<HandlerTable, 'machine.transitioned'>
