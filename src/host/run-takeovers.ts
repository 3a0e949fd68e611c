import { EngineClosedError } from '../errors'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import type { RunExecutor } from '../runtime/run-executor'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import type { EngineScope } from './engine-scope'
import { lockRunWhenFree, type RunLock } from './locks'
import type { RunLocks } from './run-locks'
import { isPassive, type Passivation } from './run-passivation'

/** What taking a run over needs from the live runs. */
export interface TakeoverHost {
  store: Store
  scope: EngineScope
  passivation?: Passivation
  live: ReadonlyMap<string, RunExecutor>
  locks: RunLocks
  definitionOf(record: RunRecord): Promise<CompiledWorkflow>
  /** Claims the locked run, makes it live and resumes its work (`LiveRuns` adoption). */
  adopt(runId: string, wf: CompiledWorkflow, lock: RunLock): Promise<RunExecutor>
}

/**
 * Runs another engine executes, waited for: when its lock comes free (a closed tab, a
 * terminated worker), this engine takes the run over if it still needs an executor.
 */
export class RunTakeovers {
  readonly #host: TakeoverHost
  readonly #waiting = new Map<string, AbortController>()

  constructor(host: TakeoverHost) {
    this.#host = host
  }

  /** Waits for another engine to let go of a run, then takes it over. */
  later(runId: string): void {
    const { scope, store } = this.#host
    if (this.#waiting.has(runId) || scope.closed) return
    const stop = new AbortController()
    this.#waiting.set(runId, stop)
    lockRunWhenFree(store.name, runId, AbortSignal.any([stop.signal, scope.signal])).then(
      (lock) => this.#takeOver(runId, lock),
      (error: unknown) => {
        this.#waiting.delete(runId)
        // An aborted wait (the engine closed, or the run came back here) is the expected end.
        if (!stop.signal.aborted && !scope.closed) reportUnhandledError(error)
      },
    )
  }

  /** Stops waiting for every run (the engine closes). */
  abortAll(): void {
    for (const takeover of this.#waiting.values()) takeover.abort()
    this.#waiting.clear()
  }

  /**
   * The lock of a run another engine let go of is ours: take the run if it still needs an
   * executor. Any failure on the way gives the lock back, so another engine can take the run.
   */
  async #takeOver(runId: string, lock: RunLock): Promise<void> {
    const host = this.#host
    this.#waiting.delete(runId)
    try {
      await host.scope.run(async () => {
        const record = await host.store.getRun(runId)
        host.scope.check()
        if (host.live.has(runId) || !record || (record.status !== 'running' && record.status !== 'queued')) {
          await lock.release()
          return
        }
        if (isPassive(record) && host.passivation) {
          // It waits with nothing in flight: no executor needed now. The leader's deadline heap
          // wakes it (this engine's, if it leads; the leader loads it from the store's wakeAt
          // index otherwise), or a call does.
          await lock.release()
          if (host.passivation.active) host.passivation.passivated(runId, record.wakeAt!)
          return
        }
        const wf = await host.definitionOf(record)
        host.scope.check()
        await host.adopt(runId, wf, lock)
      })
    } catch (error) {
      // A run made live already is in this engine's custody: a failed write there is handled
      // by `broken`, and close() releases its lock. Otherwise the lock goes back at once.
      if (!host.locks.isHeld(runId, lock)) await lock.release()
      if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
    }
  }
}
