import type { RunEvent } from '../core/run-reducer'
import { EngineClosedError, InvalidStateError, NotFoundError } from '../errors'
import type { ExecutorHost, RunExecutor } from '../runtime/run-executor'
import { restoreRun } from '../runtime/run-restore'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import type { EngineScope } from './engine-scope'
import type { EngineStreams } from './engine-streams'
import { type RunLock, tryLockRun } from './locks'
import type { RunLocks } from './run-locks'
import { heldElsewhere, rollingBack } from './run-refusals'

/** What fencing a run for a rollback needs from the live runs. */
export interface FencingHost {
  store: Store
  scope: EngineScope
  host: ExecutorHost
  streams: EngineStreams
  executorId: string
  live: Map<string, RunExecutor>
  definitionOf(record: RunRecord): Promise<CompiledWorkflow>
  locks: RunLocks
  /** Keeps the run's lock, stopping the run if it is stolen (see `RunLocks.hold`). */
  hold(runId: string, lock: RunLock): void
  /** Reloads the run as stored and pauses it (see `LiveRuns.adoptAgain`). */
  adoptAgain(runId: string, pause: RunEvent): Promise<void>
  /** Resolves once a load of the run to execute, under way here, has settled. */
  loaded(runId: string): Promise<void>
}

/**
 * Runs taken out of execution for a rollback: no control call takes a fenced run until its
 * rollback is done, and this engine holds its lock until `replace`, `giveBack` or `letGo`.
 */
export class RunFencing {
  readonly #host: FencingHost
  readonly #fenced = new Set<string>()

  constructor(host: FencingHost) {
    this.#host = host
  }

  /** Whether a rollback has the run. */
  has(runId: string): boolean {
    return this.#fenced.has(runId)
  }

  /**
   * Takes a run for a rollback and fences it: a live run stops executing and its queued commits
   * settle; a stored run is locked and claimed (a new epoch) without resuming anything. Either
   * way it is no longer live, and this engine holds its lock until `replace` or `giveBack`.
   */
  async fence(runId: string): Promise<RunExecutor> {
    const host = this.#host
    if (this.#fenced.has(runId)) throw rollingBack(runId)
    this.#fenced.add(runId)
    try {
      // This engine is loading the run (a call, a child's end or its deadline woke it): its
      // lock is ours, not another engine's. Once loaded, the run is fenced as a live one.
      await host.loaded(runId)
      host.scope.check()
      const live = host.live.get(runId)
      if (live) {
        host.live.delete(runId)
        await live.fence('the run is being rolled back')
        live.stop('the run is being rolled back')
        return live
      }
      await host.locks.releasing(runId)
      const lock = await tryLockRun(host.store.name, runId)
      if (!lock) throw heldElsewhere(runId, host.store.name)
      try {
        const record = await host.store.getRun(runId)
        if (!record)
          throw new NotFoundError(`No run "${runId}" in store "${host.store.name}".`, { value: runId })
        const wf = await host.definitionOf(record)
        host.streams.forget(runId)
        const claimed = await host.store.claimRun(runId, host.executorId)
        const executor = await restoreRun(host.store, claimed, wf, host.host)
        host.scope.check()
        host.hold(runId, lock)
        return executor
      } catch (error) {
        await lock.release()
        throw error
      }
    } catch (error) {
      this.#fenced.delete(runId)
      throw error
    }
  }

  /**
   * A fenced run made live again, rolled back (its lock is held already). Refused when the engine
   * closed or lost the lock meanwhile: the run then stays as stored, for whoever executes it next.
   */
  replace(executor: RunExecutor): void {
    const host = this.#host
    const { runId } = executor
    this.#fenced.delete(runId)
    if (host.scope.closed || !host.locks.holds(runId)) {
      host.locks.release(runId)
      throw host.scope.closed
        ? new EngineClosedError()
        : new InvalidStateError(
            `Run "${runId}" was taken over by another engine while it was being rolled back; roll it back there.`,
            { value: runId },
          )
    }
    host.live.set(runId, executor)
  }

  /** A fenced run whose rollback failed: it goes on as stored (see `adoptAgain`). */
  async giveBack(runId: string, pause: RunEvent): Promise<void> {
    try {
      await this.#host.adoptAgain(runId, pause)
    } catch (error) {
      // It stays as stored, unlocked: the next control call or recover() takes it again.
      this.#host.locks.release(runId)
      throw error
    } finally {
      this.#fenced.delete(runId)
    }
  }

  /** A fenced run another engine took over: this one lets go of it. */
  letGo(runId: string): void {
    this.#fenced.delete(runId)
    this.#host.locks.release(runId)
  }
}
