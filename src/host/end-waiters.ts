import type { WorkflowEvent } from '../types'

/** A pending wait for a run's end: told when the run ends, or when the engine closes first. */
export interface EndWaiter {
  ended(): void
  closed(): void
}

/**
 * The calls waiting for runs to end (`wait()`), by run. The engine's `observe` hands each event
 * over: one lookup per event, where a filtered subscription to the events per call made every
 * event cost one check per waiting call.
 */
export class EndWaiters {
  readonly #byRun = new Map<string, Set<EndWaiter>>()
  #closed = false

  /** Whether the engine closed: no run ends in it any more. */
  get closed(): boolean {
    return this.#closed
  }

  /** Waits for the run's end; the returned function stops waiting. */
  add(runId: string, waiter: EndWaiter): () => void {
    let waiters = this.#byRun.get(runId)
    if (!waiters) {
      waiters = new Set()
      this.#byRun.set(runId, waiters)
    }
    waiters.add(waiter)
    return () => {
      waiters.delete(waiter)
      if (waiters.size === 0 && this.#byRun.get(runId) === waiters) this.#byRun.delete(runId)
    }
  }

  /** A published event: the waiters of the run it ends are told. */
  observe(event: WorkflowEvent): void {
    if (this.#byRun.size === 0 || !isEnd(event)) return
    for (const waiter of [...(this.#byRun.get(event.runId) ?? [])]) waiter.ended()
  }

  /** The engine closes: every waiter is told, and later ones find it closed. */
  close(): void {
    this.#closed = true
    for (const waiters of [...this.#byRun.values()]) for (const waiter of [...waiters]) waiter.closed()
  }
}

function isEnd(event: WorkflowEvent): boolean {
  return (
    event.type === 'workflow.completed' ||
    event.type === 'workflow.failed' ||
    event.type === 'workflow.cancelled'
  )
}
