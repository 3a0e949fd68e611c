import type { BackoffWait } from '../../types'
import { enqueue } from '../reducer/task-scheduling'
import type { WaitKind } from './wait-kind'

/**
 * A retry back-off: entered by the failed attempt (with its `task.retrying`), not by an action;
 * at its deadline the task is ready to run again.
 */
export const backoffWait: WaitKind<BackoffWait> = {
  resolvedBy: new Set(),
  enter: () => {},
  awaits: () => false,
  receive: () => {},
  expire: (s, step, id, t) => {
    t.status = 'pending'
    enqueue(s, step, id, t)
  },
}
