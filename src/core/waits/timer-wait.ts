import type { TimerWait } from '../../types'
import { complete } from '../reducer/task-outcomes'
import type { WaitKind } from './wait-kind'

/** `delay`: nothing to record on entry, no signal ends it; at its deadline the task completes. */
export const timerWait: WaitKind<TimerWait> = {
  resolvedBy: new Set(),
  enter: () => {},
  awaits: () => false,
  receive: () => {},
  expire: (s, step, id, t) => complete(s, step, id, t, undefined),
}
