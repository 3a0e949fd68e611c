import type { MachineWait } from '../../types'
import type { WaitKind } from './wait-kind'

/**
 * `state-machine`: the task waits while its machine runs. A signal whose type the machine's
 * current state has a transition for is delivered to it; the transition itself comes next, as
 * `machine.transitioned` (src/core/reducer/machines.ts), which moves the wait on or ends the task.
 * Entering the wait takes no buffered signal here: which of them a state takes is known only by
 * running the machine, so the runtime sends a `machine.transitioned` naming the kept signal.
 */
export const machineWait: WaitKind<MachineWait> = {
  resolvedBy: new Set(['signal.received', 'machine.transitioned']),
  enter: () => {},
  awaits: (wait, name) => takesEvent(wait.accepts, name),
  // The runtime journals the transition right after the signal, in the same write.
  receive: () => {},
  // No deadline: a machine's timeouts are its own events, sent as signals.
  expire: () => {},
}

/** Whether an event type matches one of XState's event descriptors: exact, `*`, or `prefix.*`. */
export function takesEvent(accepts: readonly string[], name: string): boolean {
  for (const descriptor of accepts) {
    if (descriptor === name || descriptor === '*') return true
    if (descriptor.endsWith('.*') && name.startsWith(descriptor.slice(0, -1))) return true
  }
  return false
}
