import { type ExecutorHost, isTerminalStatus, type RunExecutor } from '../runtime/run-executor'
import { restoreRun } from '../runtime/run-restore'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow } from '../types'
import type { EngineScope } from './engine-scope'
import type { EngineStreams } from './engine-streams'
import { type RunLock, tryLockRun } from './locks'
import type { RunLocks } from './run-locks'
import { isPassive, type Passivation } from './run-passivation'

/** What loading and adopting a stored run needs from the live runs. */
export interface AdoptionHost {
  store: Store
  scope: EngineScope
  host: ExecutorHost
  streams: EngineStreams
  executorId: string
  live: ReadonlyMap<string, RunExecutor>
  /** Runs being recovered: a load waits for their recovery, then looks again. */
  recovering: ReadonlyMap<string, Promise<void>>
  locks: RunLocks
  passivation?: Passivation
  now(): number
  /** Whether a rollback has the run. */
  fenced(runId: string): boolean
  definitionOf(record: RunRecord): Promise<CompiledWorkflow>
  /** Makes a restored run live under its lock (a queued one waits its turn). */
  keep(executor: RunExecutor, lock: RunLock): void
  startWaiting(): void
}

/**
 * Stored runs brought into memory: read-only (a view of a run no engine executes), or adopted
 * for execution under the run's Web Lock with a new fencing epoch. One load per run and mode
 * at a time: concurrent callers share it.
 */
export class RunAdoption {
  readonly #host: AdoptionHost
  readonly #loading = new Map<string, Promise<RunExecutor | undefined | 'held'>>()

  constructor(host: AdoptionHost) {
    this.#host = host
  }

  /** Whether the run is being loaded to execute. */
  loadingToExecute(runId: string): boolean {
    return this.#loading.has(`${runId}:true`)
  }

  /**
   * Resolves once a load of the run to execute, under way here, has settled; at once when none
   * is. Its outcome, failure included, is its caller's: only the settling is waited for.
   */
  async loaded(runId: string): Promise<void> {
    await this.#loading.get(`${runId}:true`)?.then(
      () => undefined,
      () => undefined,
    )
  }

  /**
   * Loads a run that is not live. With `execute`, it takes the run's Web Lock, claims it (a new
   * fencing epoch), makes it live and resumes its work; `'held'` when another engine has the lock.
   */
  load(runId: string, execute: boolean): Promise<RunExecutor | undefined | 'held'> {
    const recovering = this.#host.recovering.get(runId)
    if (recovering) return recovering.then(() => this.load(runId, execute))
    const key = `${runId}:${execute}`
    let loading = this.#loading.get(key)
    if (!loading) {
      loading = this.#restore(runId, execute).finally(() => this.#loading.delete(key))
      this.#loading.set(key, loading)
    }
    return loading
  }

  /**
   * A passive run's time came (or passed while no engine ran): it is loaded and resumed, unless
   * it woke already (a call), ended, or sleeps longer now. Another engine holding it wakes it there.
   */
  async wake(runId: string): Promise<void> {
    const host = this.#host
    if (host.live.has(runId) || host.fenced(runId)) return
    const record = await host.store.getRun(runId)
    host.scope.check()
    if (!record || !isPassive(record) || host.live.has(runId)) return
    if (record.wakeAt! > host.now()) {
      host.passivation?.passivated(runId, record.wakeAt!)
      return
    }
    await this.load(runId, true)
  }

  async #restore(runId: string, execute: boolean): Promise<RunExecutor | undefined | 'held'> {
    const host = this.#host
    const live = host.live.get(runId)
    if (live) return live
    const record = await host.store.getRun(runId)
    if (!record) return undefined
    const wf = await host.definitionOf(record)
    // Completed and cancelled runs never execute again: no lock, no new epoch.
    if (!execute || record.status === 'completed' || record.status === 'cancelled') {
      return restoreRun(host.store, record, wf, host.host)
    }
    await host.locks.releasing(runId)
    host.scope.check()
    const lock = await tryLockRun(host.store.name, runId)
    if (!lock) return 'held'
    try {
      host.scope.check()
      return await this.adopt(runId, wf, lock)
    } catch (error) {
      host.locks.release(runId)
      await lock.release()
      throw error
    }
  }

  /**
   * Claims a run whose lock this engine just took, restores it and, unless it has ended, makes
   * it live and resumes its work. A run that ended gives its lock back at once.
   */
  async adopt(runId: string, wf: CompiledWorkflow, lock: RunLock): Promise<RunExecutor> {
    const host = this.#host
    host.streams.forget(runId)
    const claimed = await host.store.claimRun(runId, host.executorId)
    const executor = await restoreRun(host.store, claimed, wf, host.host)
    host.scope.check()
    if (isTerminalStatus(executor.state.status) && executor.state.status !== 'failed') {
      await lock.release()
      return executor
    }
    host.keep(executor, lock)
    await executor.resumeWork(host.executorId)
    host.startWaiting()
    return executor
  }
}
