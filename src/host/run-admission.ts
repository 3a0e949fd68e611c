import { SpindleError } from '../errors'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { RunExecutor } from '../runtime/run-executor'
import type { RunState, WorkflowEvent } from '../types'
import type { EngineScope } from './engine-scope'

/** Events after which a run may no longer hold a slot: it paused, or its tasks went to wait. */
const FREES_A_SLOT: ReadonlySet<WorkflowEvent['type']> = new Set([
  'workflow.paused',
  'task.waiting',
  'task.retrying',
  'task.completed',
  'task.cached',
  'task.failed',
  'task.skipped',
  'task.timed-out',
])

/**
 * Whether a run takes a `maxConcurrentRuns` slot: it is running and one of its tasks executes
 * (or is about to). A paused run, and one whose tasks all wait (a delay, an event, a retry
 * back-off), take none; when such a run goes on, it does so at once, even above the limit.
 */
export function holdsSlot(state: RunState): boolean {
  if (state.status !== 'running') return false
  for (const id in state.tasks) {
    const task = state.tasks[id]!
    if (task.status === 'running' || (task.status === 'pending' && task.dispatched)) return true
  }
  return false
}

/** Whether `event` may have freed its run's slot, so a queued run may start. */
export function freesASlot(event: WorkflowEvent): boolean {
  return FREES_A_SLOT.has(event.type)
}

/** What starting queued runs needs from the live runs. */
export interface AdmissionHost {
  maxConcurrentRuns: number
  scope: EngineScope
  now(): number
  live: ReadonlyMap<string, RunExecutor>
}

/**
 * Runs waiting for a `maxConcurrentRuns` slot, started in the order they came while fewer runs
 * than the limit hold a slot (see `holdsSlot`).
 */
export class RunAdmission {
  readonly #host: AdmissionHost
  #waiting: string[] = []
  /** Runs stored as queued that a recovery is taking: their slots are theirs before a new run's. */
  readonly #reserved = new Set<string>()

  constructor(host: AdmissionHost) {
    this.#host = host
  }

  /**
   * Whether a new run may start now: fewer runs than the limit hold a slot, counting the runs
   * queued before it, waiting or being recovered, as theirs (S10).
   */
  hasRoom(): boolean {
    return this.#running() + this.#waiting.length + this.#reserved.size < this.#host.maxConcurrentRuns
  }

  /** A new run waits for a slot, behind those queued before it. */
  queue(runId: string): void {
    this.#waiting.push(runId)
  }

  /**
   * A queued run taken from the store joins the queue in order of creation: it goes before the
   * runs started after it, whichever engine started them (ties: the stored run first).
   */
  queueStored(runId: string): void {
    const { live } = this.#host
    const createdAt = (id: string) => live.get(id)?.state.createdAt ?? Number.NEGATIVE_INFINITY
    const at = createdAt(runId)
    let i = 0
    while (i < this.#waiting.length && createdAt(this.#waiting[i]!) < at) i++
    this.#waiting.splice(i, 0, runId)
  }

  /** A recovery takes these stored queued runs: no new run takes their slots meanwhile. */
  reserve(runIds: readonly string[]): void {
    for (const id of runIds) this.#reserved.add(id)
  }

  /** The recovery of these runs ended (queued, or given up); runs waiting may now start. */
  unreserve(runIds: readonly string[]): void {
    for (const id of runIds) this.#reserved.delete(id)
    this.startWaiting()
  }

  /** A new run's first write committed: one queued behind runs that turned out stale may start. */
  recorded(): void {
    if (this.#waiting.length > 0) this.startWaiting()
  }

  /** After each published event: a run that stopped executing work frees its slot for a queued one. */
  observe(event: WorkflowEvent): void {
    if (this.#waiting.length > 0 && freesASlot(event)) this.startWaiting()
  }

  /** Starts queued runs while there is room. */
  startWaiting(): void {
    const host = this.#host
    while (
      this.#waiting.length > 0 &&
      this.#running() + this.#reserved.size < host.maxConcurrentRuns &&
      !host.scope.closed
    ) {
      const executor = host.live.get(this.#waiting.shift()!)
      if (executor?.state.status !== 'queued') continue
      const s = executor.state
      executor
        .send({
          type: 'workflow.started',
          definitionId: s.definitionId,
          version: s.version,
          at: host.now(),
        })
        .catch((error: unknown) => {
          // A failed write already stopped the run and reached `#broken` (it pauses with
          // STORAGE_FAILED); a typed refusal means the executor stopped (close, a lost lock),
          // whose own path owns the run. Anything else is a fault of ours: report it.
          if (!(error instanceof SpindleError)) reportUnhandledError(error)
        })
    }
  }

  /** Runs that take a `maxConcurrentRuns` slot now (see `holdsSlot`). */
  #running(): number {
    let n = 0
    for (const executor of this.#host.live.values()) if (holdsSlot(executor.state)) n++
    return n
  }
}
