import type { RunEvent } from '../core/run-reducer'
import { EngineClosedError, StaleExecutorError, toErrorInfo } from '../errors'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import { type ExecutorHost, isTerminalStatus, type RunExecutor } from '../runtime/run-executor'
import { restoreRun } from '../runtime/run-restore'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import type { EngineScope } from './engine-scope'
import type { EngineStreams } from './engine-streams'
import type { RunLocks } from './run-locks'

/** What reloading a run needs from the live runs. */
export interface ReloadHost {
  store: Store
  scope: EngineScope
  host: ExecutorHost
  streams: EngineStreams
  executorId: string
  now(): number
  live: Map<string, RunExecutor>
  locks: RunLocks
  definitionOf(record: RunRecord): Promise<CompiledWorkflow>
  /** Forgets a new run whose first write has not committed; whether it was one. */
  dropUnwritten(runId: string): boolean
}

/**
 * Runs reloaded from the store after a failed journal write (or a failed rollback) and paused
 * with the reason: what the failed executor did since its last commit is lost from memory, but
 * it was never published either.
 */
export class RunReloads {
  readonly #host: ReloadHost
  /** Runs reloaded after a failed write, while their pause is being written. */
  readonly #failing = new Set<string>()

  constructor(host: ReloadHost) {
    this.#host = host
  }

  /** Whether the run is being reloaded after a failed write. */
  has(runId: string): boolean {
    return this.#failing.has(runId)
  }

  /**
   * After a failed write or rollback: reload the run as stored and (when running) pause it. A run
   * that ended stays as it is and its lock goes.
   */
  async adoptAgain(runId: string, pause: RunEvent): Promise<void> {
    const host = this.#host
    const record = await host.store.claimRun(runId, host.executorId)
    const executor = await restoreRun(host.store, record, await host.definitionOf(record), host.host)
    host.scope.check()
    if (isTerminalStatus(executor.state.status)) {
      host.streams.remember(executor)
      host.locks.release(runId)
      return
    }
    host.live.set(runId, executor)
    if (executor.state.status === 'running') await executor.send(pause)
    // Work cut off with the failed executor starts again (a paused run lets it finish).
    await executor.resumeWork(host.executorId)
  }

  /**
   * A journal write failed. The run stops here; what it did since its last commit is lost from
   * memory but was never published. A fenced write means another executor owns the run now.
   * Otherwise the run is reloaded from what the store holds and paused with the reason.
   */
  broken(executor: RunExecutor, error: unknown): void {
    const host = this.#host
    const runId = executor.runId
    if (host.live.get(runId) !== executor) return
    host.live.delete(runId)
    // A new run whose record was never written: nothing of it is stored, nothing to reload. One
    // whose record committed while its starter had not yet heard so is stored: it is reloaded.
    if (host.dropUnwritten(runId) && !executor.wrote) {
      host.locks.release(runId)
      return
    }
    // A stale write: another executor owns the run now. A second failure in a row: the store
    // is still failing; the run stays as stored and the next recover() resumes it.
    if (error instanceof StaleExecutorError || host.scope.closed || this.#failing.has(runId)) {
      this.#failing.delete(runId)
      host.locks.release(runId)
      return
    }
    this.#failing.add(runId)
    const info = toErrorInfo(error, 'STORAGE_FAILED')
    host.scope
      .run(() =>
        this.adoptAgain(runId, {
          type: 'workflow.paused',
          reason: `${info.code}: ${info.message}`,
          error: info,
          at: host.now(),
        }),
      )
      .then(() => this.#failing.delete(runId))
      .catch(async (failure: unknown) => {
        // The run stays as stored, unlocked; the next recover() resumes it.
        this.#failing.delete(runId)
        host.live.delete(runId)
        host.locks.release(runId)
        await host.locks.releasing(runId)
        if (!(failure instanceof EngineClosedError)) reportUnhandledError(failure)
      })
  }
}
