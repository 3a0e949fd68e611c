import type { RunExecutor } from '../runtime/run-executor'
import type { RunRecord } from '../store/store'
import type { EngineScope } from './engine-scope'

/** Who wakes passive runs: while it is active, a dormant run may leave memory. */
export interface Passivation {
  readonly active: boolean
  /** The run left memory until `wakeAt` (`Infinity`: until a call wakes it). */
  passivated(runId: string, wakeAt: number): void
}

/** What deciding a passivation needs from the live runs. */
export interface PassivationHost {
  readonly scope: EngineScope
  now(): number
  /** The run's live executor, if it has one. */
  live(runId: string): RunExecutor | undefined
  /** Whether the run is in another operation's hands: a rollback, its first write, a failed write. */
  held(runId: string): boolean
  /** Takes the run out of memory: its executor stops and its lock goes. */
  evict(executor: RunExecutor): void
}

/**
 * Decides when a dormant live run leaves memory: once the commit that made it dormant (its
 * record's `wakeAt`) is published and its effects carried out, while no control call has it and
 * nothing else holds it. Its wake time then goes to the deadline heap (`Passivation`).
 */
export class RunPassivation {
  readonly #host: PassivationHost
  readonly #wakeups: Passivation | undefined
  /** Control calls under way per run: a run stays in memory until they are done. */
  readonly #calls = new Map<string, number>()
  /** Dormant runs whose passivation waits for their effects to be carried out. */
  readonly #pending = new Set<string>()

  constructor(host: PassivationHost, wakeups: Passivation | undefined) {
    this.#host = host
    this.#wakeups = wakeups
  }

  /** A control call took the run: it stays in memory until `callEnded`. */
  callStarted(runId: string): void {
    this.#calls.set(runId, (this.#calls.get(runId) ?? 0) + 1)
  }

  callEnded(executor: RunExecutor): void {
    const { runId } = executor
    const calls = (this.#calls.get(runId) ?? 1) - 1
    if (calls > 0) this.#calls.set(runId, calls)
    else this.#calls.delete(runId)
    this.committed(executor)
  }

  /** The run published a commit: if that commit left it dormant, it leaves memory after it. */
  committed(executor: RunExecutor): void {
    const { runId } = executor
    const wakeAt = executor.record.wakeAt
    if (wakeAt === undefined || !this.#mayPassivate(wakeAt) || this.#pending.has(runId)) return
    this.#pending.add(runId)
    executor.idle().then(
      () => this.#passivate(executor),
      // A failed write is handled by `broken`; the run is not dormant then.
      () => this.#pending.delete(runId),
    )
  }

  #passivate(executor: RunExecutor): void {
    const { runId } = executor
    this.#pending.delete(runId)
    const wakeAt = executor.record.wakeAt
    const wakeups = this.#wakeups
    if (
      wakeAt === undefined ||
      !wakeups ||
      !this.#mayPassivate(wakeAt) ||
      this.#host.live(runId) !== executor ||
      executor.busy ||
      this.#host.scope.closed ||
      this.#calls.has(runId) ||
      this.#host.held(runId) ||
      // Due now: its own timer fires in a moment, and it goes on.
      wakeAt <= this.#host.now()
    )
      return
    this.#host.evict(executor)
    wakeups.passivated(runId, wakeAt)
  }

  /**
   * Whether a run dormant until `wakeAt` may leave memory here: always while this engine wakes
   * passive runs (it leads); otherwise only a run that no deadline wakes (it waits on people,
   * a child run or a signal), which nobody but a call needs to wake, and a call on any engine
   * takes it over. A run with a deadline stays with its own timer where the leader cannot know
   * of it.
   */
  #mayPassivate(wakeAt: number): boolean {
    return this.#wakeups !== undefined && (this.#wakeups.active || wakeAt === Number.POSITIVE_INFINITY)
  }
}

/** A running run whose record says it is dormant: it needs no executor until it wakes. */
export function isPassive(record: RunRecord): boolean {
  return record.status === 'running' && record.wakeAt !== undefined
}
