import { bufferSignal } from '../signal-buffer'
import type { HandlerTable } from './run-step'
import { complete } from './task-outcomes'

/** Signals: delivered to the task waiting for them, or buffered until one does. */
export const signals = {
  'signal.received': (s, e, step) => {
    const waiter = step.wf.order.find(
      (id) => s.tasks[id]!.status === 'waiting' && s.tasks[id]!.signal === e.name,
    )
    const { buffered: _buffered, ...received } = e
    step.record(s, waiter ? received : { ...received, buffered: true })
    if (waiter) complete(s, step, waiter, s.tasks[waiter]!, e.payload)
    else bufferSignal(s, e.name, s.seq, e.at, (event) => step.record(s, event))
  },
  // Recorded only as a consequence of another event: the replay derives it again.
  'signal.dropped': () => {},
} satisfies Pick<HandlerTable, 'signal.received' | 'signal.dropped'>
