import type { CompiledWorkflow, RunState } from '../../types'
import { bufferSignal } from '../signal-buffer'
import { kindOf } from '../waits/wait-kinds'
import type { HandlerTable } from './run-step'

/** Signals: delivered to the first task (in definition order) whose wait awaits them, or buffered. */
export const signals = {
  'signal.received': (s, e, step) => {
    const waiter = waiterFor(s, step.wf, e.name)
    const { buffered: _buffered, ...received } = e
    step.record(s, waiter ? received : { ...received, buffered: true })
    if (waiter) {
      const t = s.tasks[waiter]!
      kindOf(t.wait!).receive(s, step, waiter, t, t.wait!, e)
    } else bufferSignal(s, e.name, s.seq, e.at, (event) => step.record(s, event))
  },
  // Recorded only as a consequence of another event: the replay derives it again.
  'signal.dropped': () => {},
} satisfies Pick<HandlerTable, 'signal.received' | 'signal.dropped'>

/** The task a signal `name` goes to now: the first (in definition order) whose wait awaits it. */
export function waiterFor(s: RunState, wf: CompiledWorkflow, name: string): string | undefined {
  return wf.order.find((id) => {
    const t = s.tasks[id]!
    return t.status === 'waiting' && t.wait !== undefined && kindOf(t.wait).awaits(t.wait, name)
  })
}
