import type { RunEvent } from '../core/run-reducer'
import {
  EngineClosedError,
  InvalidStateError,
  NotFoundError,
  SpindleError,
  StaleExecutorError,
  toErrorInfo,
} from '../errors'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import { type ExecutorHost, isTerminalStatus, type RunExecutor } from '../runtime/run-executor'
import { readRestorePoints, restoreFrom, restoreRun } from '../runtime/run-restore'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow, WorkflowDefinition, WorkflowEvent } from '../types'
import type { EngineScope } from './engine-scope'
import type { EngineStreams } from './engine-streams'
import { lockRunWhenFree, type RunLock, tryLockRun } from './locks'
import { freesASlot, holdsSlot } from './run-admission'
import { type Passivation, RunPassivation } from './run-passivation'

export interface LiveRunsOptions {
  store: Store
  host: ExecutorHost
  /** Names this engine in claims and `workflow.recovered`. */
  executorId: string
  maxConcurrentRuns: number
  now(): number
  compile(definition: WorkflowDefinition): CompiledWorkflow
  /** The compiled definition `id@version`, when this engine has it already. */
  compiled(key: string): CompiledWorkflow | undefined
  streams: EngineStreams
  /** The engine's lifetime: checked after every await, so nothing is taken once it closes. */
  scope: EngineScope
  /** Where dormant runs go when they leave memory (see `dormantUntil`). */
  passivation?: Passivation
}

/**
 * The runs an engine executes, and how it takes them and gives them up: each under its Web Lock
 * `spindle:<db>:run:<runId>` with a fresh fencing epoch (guarantee 3), restored from the store
 * when needed, taken over when another engine lets go, reloaded and paused after a failed write,
 * and started in order under `maxConcurrentRuns`.
 */
export class LiveRuns {
  readonly #o: LiveRunsOptions
  readonly #live = new Map<string, RunExecutor>()
  readonly #loading = new Map<string, Promise<RunExecutor | undefined | 'held'>>()
  /** Runs being taken over by `recoverAll`: a load waits for it, then looks again. */
  readonly #recovering = new Map<string, Promise<void>>()
  /** Web Locks of the runs this engine executes. */
  readonly #locks = new Map<string, RunLock>()
  /** Locks being given up: the browser frees a Web Lock a moment after its release. */
  readonly #releasing = new Map<string, Promise<void>>()
  /** Runs reloaded after a failed write, while their pause is being written. */
  readonly #failing = new Set<string>()
  /** Runs another engine executes, waiting for its lock to come free. */
  readonly #takeovers = new Map<string, AbortController>()
  readonly #waitingToStart: string[] = []
  /** Runs fenced for a rollback: no control call takes them until it is done. */
  readonly #fencing = new Set<string>()
  /** New runs whose first write (with their record) has not committed yet. */
  readonly #unwritten = new Set<string>()
  /** When dormant runs leave memory. */
  readonly #passivation: RunPassivation

  constructor(options: LiveRunsOptions) {
    this.#o = options
    this.#passivation = new RunPassivation(
      {
        scope: options.scope,
        now: options.now,
        live: (runId) => this.#live.get(runId),
        held: (runId) => this.#fencing.has(runId) || this.#unwritten.has(runId) || this.#failing.has(runId),
        evict: (executor) => this.#evict(executor),
      },
      options.passivation,
    )
  }

  get(runId: string): RunExecutor | undefined {
    return this.#live.get(runId)
  }

  values(): IterableIterator<RunExecutor> {
    return this.#live.values()
  }

  /**
   * A new run, locked by this engine, whose record goes out with its first entries: it starts
   * now, or waits its turn. If that first write fails, the run is dropped, as if never started.
   */
  add(executor: RunExecutor, lock: RunLock): boolean {
    const { runId } = executor
    this.#hold(runId, lock)
    this.#live.set(runId, executor)
    this.#unwritten.add(runId)
    if (this.#running() < this.#o.maxConcurrentRuns) return true
    this.#waitingToStart.push(executor.runId)
    return false
  }

  /**
   * Takes a run for a rollback and fences it: a live run stops executing and its queued commits
   * settle; a stored run is locked and claimed (a new epoch) without resuming anything. Either
   * way it is no longer live, and this engine holds its lock until `replace` or `giveBack`.
   */
  async fence(runId: string): Promise<RunExecutor> {
    if (this.#fencing.has(runId)) throw this.#rollingBack(runId)
    this.#fencing.add(runId)
    try {
      const live = this.#live.get(runId)
      if (live) {
        this.#live.delete(runId)
        await live.fence('the run is being rolled back')
        live.stop('the run is being rolled back')
        return live
      }
      await this.#releasing.get(runId)
      const lock = await tryLockRun(this.#o.store.name, runId)
      if (!lock) throw this.#heldElsewhere(runId)
      try {
        const record = await this.#o.store.getRun(runId)
        if (!record)
          throw new NotFoundError(`No run "${runId}" in store "${this.#o.store.name}".`, { value: runId })
        const wf = await this.#definitionOf(record)
        this.#o.streams.forget(runId)
        const claimed = await this.#o.store.claimRun(runId, this.#o.executorId)
        const executor = await restoreRun(this.#o.store, claimed, wf, this.#o.host)
        this.#o.scope.check()
        this.#hold(runId, lock)
        return executor
      } catch (error) {
        await lock.release()
        throw error
      }
    } catch (error) {
      this.#fencing.delete(runId)
      throw error
    }
  }

  /** The first write of a run from `add` committed: its record is stored. */
  recorded(runId: string): void {
    this.#unwritten.delete(runId)
  }

  /** Whether this engine still holds the lock of a run it fenced (another may have stolen it). */
  holds(runId: string): boolean {
    return this.#locks.has(runId)
  }

  /**
   * A fenced run made live again, rolled back (its lock is held already). Refused when the engine
   * closed or lost the lock meanwhile: the run then stays as stored, for whoever executes it next.
   */
  replace(executor: RunExecutor): void {
    const { runId } = executor
    this.#fencing.delete(runId)
    if (this.#o.scope.closed || !this.#locks.has(runId)) {
      this.#release(runId)
      throw this.#o.scope.closed
        ? new EngineClosedError()
        : new InvalidStateError(
            `Run "${runId}" was taken over by another engine while it was being rolled back; roll it back there.`,
            { value: runId },
          )
    }
    this.#live.set(runId, executor)
  }

  /** A fenced run whose rollback failed: it goes on as stored (see `adoptAgain`). */
  async giveBack(runId: string, pause: RunEvent): Promise<void> {
    try {
      await this.adoptAgain(runId, pause)
    } catch (error) {
      // It stays as stored, unlocked: the next control call or recover() takes it again.
      this.#release(runId)
      throw error
    } finally {
      this.#fencing.delete(runId)
    }
  }

  /** A fenced run another engine took over: this one lets go of it. */
  letGo(runId: string): void {
    this.#fencing.delete(runId)
    this.#release(runId)
  }

  /**
   * Takes over stored runs all at once (recovery): their locks are asked for together, they are
   * claimed in one transaction, restored side by side, and their `workflow.recovered` entries
   * share commits. Runs another engine holds are taken over when it lets go.
   */
  async recoverAll(records: readonly RunRecord[]): Promise<RunExecutor[]> {
    const candidates = records.filter(
      (r) =>
        !this.#live.has(r.runId) &&
        !this.#loading.has(`${r.runId}:true`) &&
        !this.#recovering.has(r.runId) &&
        // A passive run has nothing in flight: it wakes at its time, or on a call.
        !isPassive(r),
    )
    let done!: () => void
    const recovering = new Promise<void>((resolve) => {
      done = resolve
    })
    for (const r of candidates) this.#recovering.set(r.runId, recovering)
    try {
      await Promise.all(candidates.map((r) => this.#releasing.get(r.runId)))
      const locks = await Promise.all(candidates.map((r) => tryLockRun(this.#o.store.name, r.runId)))
      if (this.#o.scope.closed) {
        await Promise.all(locks.map((lock) => lock?.release()))
        throw new EngineClosedError()
      }
      const mine = new Map<string, RunLock>()
      candidates.forEach((r, i) => {
        const lock = locks[i]
        if (lock) mine.set(r.runId, lock)
        else this.takeOverLater(r.runId)
      })
      if (mine.size === 0) return []
      // Each definition is looked up once, before the claim and the journal reads: asked for after
      // them, its read waits behind all of theirs in the database.
      // A failed lookup is made again for each run that needs it, so its error names that run.
      const definitions = new Map<string, Promise<CompiledWorkflow | undefined>>()
      for (const record of candidates) {
        if (!mine.has(record.runId)) continue
        const key = `${record.definitionId}@${record.version}`
        if (!definitions.has(key))
          definitions.set(
            key,
            this.#definitionOf(record).catch(() => undefined),
          )
      }
      let claimed: RunRecord[]
      const claiming = this.#o.store.claimRuns([...mine.keys()], this.#o.executorId)
      // Asked for after the claim, the reads see every write made before it (a write asked for
      // later is refused by the new epoch), and go on while the claim commits. In key order,
      // each batch's runs lie together in the store, which reads them in bulk then.
      const points = readRestorePoints(this.#o.store, [...mine.keys()].sort())
      try {
        claimed = await claiming
      } catch (error) {
        await Promise.all([...mine.values()].map((lock) => lock.release()))
        throw error
      }
      if (this.#o.scope.closed) {
        await Promise.all([...mine.values()].map((lock) => lock.release()))
        throw new EngineClosedError()
      }
      const restored = await Promise.all(
        claimed.map(async (record) => {
          const lock = mine.get(record.runId)!
          try {
            const point = await points.get(record.runId)
            const wf =
              (await definitions.get(`${record.definitionId}@${record.version}`)) ??
              (await this.#definitionOf(record))
            const executor = point
              ? await restoreFrom(this.#o.store, record, wf, this.#o.host, point)
              : await restoreRun(this.#o.store, record, wf, this.#o.host)
            this.#o.scope.check()
            this.#hold(record.runId, lock)
            this.#live.set(record.runId, executor)
            if (executor.state.status === 'queued') this.#waitingToStart.push(record.runId)
            return executor
          } catch (error) {
            // Its definition is gone, or the store failed for it: it stays as stored, unlocked,
            // and a later recover() tries again. The others go on.
            await lock.release()
            if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
            return undefined
          }
        }),
      )
      const executors = restored.filter((e) => e !== undefined)
      // The runs made live are this engine's now: close() stops them and releases their locks.
      this.#o.scope.check()
      await Promise.all(executors.map((e) => e.resumeWork(this.#o.executorId)))
      this.startWaiting()
      return executors
    } finally {
      for (const r of candidates) this.#recovering.delete(r.runId)
      done()
    }
  }

  /**
   * Stops every run (recording nothing), lets go of every lock and waiting takeover. Called once
   * the engine scope is closed and every operation in it has settled, so no lock is taken after.
   */
  async close(settled: () => Promise<void>): Promise<void> {
    for (const executor of this.#live.values())
      executor.stop('the engine was closed', new EngineClosedError())
    for (const takeover of this.#takeovers.values()) takeover.abort()
    this.#takeovers.clear()
    await settled()
    this.#live.clear()
    for (const runId of [...this.#locks.keys()]) this.#release(runId)
    await Promise.all(this.#releasing.values())
  }

  /** The live executor of a run, loading (and locking) it when needed. */
  async executing(runId: string): Promise<RunExecutor> {
    if (this.#fencing.has(runId)) throw this.#rollingBack(runId)
    const executor = this.#live.get(runId) ?? (await this.load(runId, true))
    if (!executor)
      throw new NotFoundError(`No run "${runId}" in store "${this.#o.store.name}".`, { value: runId })
    if (executor === 'held') {
      if (this.#fencing.has(runId)) throw this.#rollingBack(runId)
      throw this.#heldElsewhere(runId)
    }
    // Until `releaseIfEnded`, which every control call ends with, the run stays in memory.
    this.#passivation.callStarted(runId)
    return executor
  }

  #heldElsewhere(runId: string): InvalidStateError {
    return new InvalidStateError(
      `Run "${runId}" is executed by another engine (another tab or worker) on database "${this.#o.store.name}"; control it there, or close that engine first.`,
      { value: runId },
    )
  }

  #rollingBack(runId: string): InvalidStateError {
    return new InvalidStateError(
      `Run "${runId}" is being rolled back; wait for rollback() to settle, then try again.`,
      { value: runId },
    )
  }

  /**
   * Loads a run that is not live. With `execute`, it takes the run's Web Lock, claims it (a new
   * fencing epoch), makes it live and resumes its work; `'held'` when another engine has the lock.
   */
  load(runId: string, execute: boolean): Promise<RunExecutor | undefined | 'held'> {
    const recovering = this.#recovering.get(runId)
    if (recovering) return recovering.then(() => this.load(runId, execute))
    const key = `${runId}:${execute}`
    let loading = this.#loading.get(key)
    if (!loading) {
      loading = this.#restore(runId, execute).finally(() => this.#loading.delete(key))
      this.#loading.set(key, loading)
    }
    return loading
  }

  async #restore(runId: string, execute: boolean): Promise<RunExecutor | undefined | 'held'> {
    const live = this.#live.get(runId)
    if (live) return live
    const record = await this.#o.store.getRun(runId)
    if (!record) return undefined
    const wf = await this.#definitionOf(record)
    // Completed and cancelled runs never execute again: no lock, no new epoch.
    if (!execute || record.status === 'completed' || record.status === 'cancelled') {
      return restoreRun(this.#o.store, record, wf, this.#o.host)
    }
    await this.#releasing.get(runId)
    this.#o.scope.check()
    const lock = await tryLockRun(this.#o.store.name, runId)
    if (!lock) return 'held'
    try {
      this.#o.scope.check()
      return await this.#adopt(runId, wf, lock)
    } catch (error) {
      this.#release(runId)
      await lock.release()
      throw error
    }
  }

  async #adopt(runId: string, wf: CompiledWorkflow, lock: RunLock): Promise<RunExecutor> {
    this.#o.streams.forget(runId)
    const claimed = await this.#o.store.claimRun(runId, this.#o.executorId)
    const executor = await restoreRun(this.#o.store, claimed, wf, this.#o.host)
    this.#o.scope.check()
    if (isTerminalStatus(executor.state.status) && executor.state.status !== 'failed') {
      await lock.release()
      return executor
    }
    this.#hold(runId, lock)
    this.#live.set(runId, executor)
    if (executor.state.status === 'queued') this.#waitingToStart.push(runId)
    await executor.resumeWork(this.#o.executorId)
    this.startWaiting()
    return executor
  }

  /**
   * After a failed write or rollback: reload the run as stored and (when running) pause it. A run
   * that ended stays as it is and its lock goes.
   */
  async adoptAgain(runId: string, pause: RunEvent): Promise<void> {
    const record = await this.#o.store.claimRun(runId, this.#o.executorId)
    const executor = await restoreRun(this.#o.store, record, await this.#definitionOf(record), this.#o.host)
    this.#o.scope.check()
    if (isTerminalStatus(executor.state.status)) {
      this.#o.streams.remember(executor)
      this.#release(runId)
      return
    }
    this.#live.set(runId, executor)
    if (executor.state.status === 'running') await executor.send(pause)
    // Work cut off with the failed executor starts again (a paused run lets it finish).
    await executor.resumeWork(this.#o.executorId)
  }

  async #definitionOf(record: RunRecord): Promise<CompiledWorkflow> {
    const known = this.#o.compiled(`${record.definitionId}@${record.version}`)
    if (known) return known
    const stored = await this.#o.store.getDefinition(record.definitionId, record.version)
    if (!stored) {
      throw new NotFoundError(
        `Run "${record.runId}" uses "${record.definitionId}"@${record.version}, which is no longer registered; register that version again.`,
        { value: record.runId },
      )
    }
    return this.#o.compile(stored.definition)
  }

  #hold(runId: string, lock: RunLock): void {
    this.#locks.set(runId, lock)
    lock.lost.then(() => {
      // Another executor stole the lock: stop at once; fencing refuses any write still queued.
      if (this.#locks.get(runId) !== lock) return
      this.#locks.delete(runId)
      this.#live
        .get(runId)
        ?.stop(
          'the run lock was taken by another executor',
          new StaleExecutorError(
            `Run "${runId}" was taken over by another executor (its Web Lock was taken); this engine no longer executes it.`,
            { value: runId },
          ),
        )
      this.#live.delete(runId)
    })
  }

  #release(runId: string): void {
    const lock = this.#locks.get(runId)
    if (!lock) return
    this.#locks.delete(runId)
    // `release()` never rejects: a lock the browser dropped counts as released.
    const released = lock.release().finally(() => {
      if (this.#releasing.get(runId) === released) this.#releasing.delete(runId)
    })
    this.#releasing.set(runId, released)
  }

  /** Waits for another engine to let go of a run, then takes it over. */
  takeOverLater(runId: string): void {
    if (this.#takeovers.has(runId) || this.#o.scope.closed) return
    const stop = new AbortController()
    this.#takeovers.set(runId, stop)
    lockRunWhenFree(this.#o.store.name, runId, AbortSignal.any([stop.signal, this.#o.scope.signal])).then(
      (lock) => this.#takeOver(runId, lock),
      (error: unknown) => {
        this.#takeovers.delete(runId)
        // An aborted wait (the engine closed, or the run came back here) is the expected end.
        if (!stop.signal.aborted && !this.#o.scope.closed) reportUnhandledError(error)
      },
    )
  }

  /**
   * The lock of a run another engine let go of is ours: take the run if it still needs an
   * executor. Any failure on the way gives the lock back, so another engine can take the run.
   */
  async #takeOver(runId: string, lock: RunLock): Promise<void> {
    this.#takeovers.delete(runId)
    try {
      await this.#o.scope.run(async () => {
        const record = await this.#o.store.getRun(runId)
        this.#o.scope.check()
        if (this.#live.has(runId) || !record || (record.status !== 'running' && record.status !== 'queued')) {
          await lock.release()
          return
        }
        if (isPassive(record) && this.#o.passivation?.active) {
          // It waits with nothing in flight: the deadline heap wakes it, no executor needed now.
          await lock.release()
          this.#o.passivation.passivated(runId, record.wakeAt!)
          return
        }
        const wf = await this.#definitionOf(record)
        this.#o.scope.check()
        await this.#adopt(runId, wf, lock)
      })
    } catch (error) {
      // A run made live already is in this engine's custody: a failed write there is handled
      // by `broken`, and close() releases its lock. Otherwise the lock goes back at once.
      if (this.#locks.get(runId) !== lock) await lock.release()
      if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
    }
  }

  /**
   * After a control call: a run that has ended (a failed run that took a checkpoint or a
   * signal stays failed) goes back to the store and gives its lock up, so that another engine
   * can take it over, as it does when it ends. Resolves once the lock is free.
   */
  async releaseIfEnded(executor: RunExecutor): Promise<void> {
    const { runId } = executor
    if (this.#live.get(runId) === executor && isTerminalStatus(executor.state.status)) {
      this.settled(executor)
    }
    this.#passivation.callEnded(executor)
    await this.#releasing.get(runId)
  }

  settled(executor: RunExecutor): void {
    this.#o.streams.remember(executor)
    if (this.#live.get(executor.runId) === executor) {
      this.#live.delete(executor.runId)
      this.#release(executor.runId)
    }
    this.startWaiting()
  }

  /** After each published event: a run that stopped executing work frees its slot for a queued one. */
  observe(event: WorkflowEvent): void {
    if (this.#waitingToStart.length > 0 && freesASlot(event)) this.startWaiting()
    const executor = this.#live.get(event.runId)
    if (executor) this.#passivation.committed(executor)
  }

  /** This engine wakes passive runs from now on: its dormant runs leave memory. */
  passivateDormant(): void {
    for (const executor of this.#live.values()) this.#passivation.committed(executor)
  }

  /**
   * A passive run's time came (or passed while no engine ran): it is loaded and resumed, unless
   * it woke already (a call), ended, or sleeps longer now. Another engine holding it wakes it there.
   */
  async wake(runId: string): Promise<void> {
    if (this.#live.has(runId) || this.#fencing.has(runId)) return
    const record = await this.#o.store.getRun(runId)
    this.#o.scope.check()
    if (!record || !isPassive(record) || this.#live.has(runId)) return
    if (record.wakeAt! > this.#o.now()) {
      this.#o.passivation?.passivated(runId, record.wakeAt!)
      return
    }
    await this.load(runId, true)
  }

  /**
   * A dormant run leaves memory: its executor (actor, timers) stops and its lock goes; its
   * record says when it wakes (`wakeAt`, committed already), and the deadline heap holds it.
   */
  #evict(executor: RunExecutor): void {
    const { runId } = executor
    this.#live.delete(runId)
    executor.stop(
      'the run is passive',
      new InvalidStateError(`Run "${runId}" left memory while it waits; control it again to wake it.`, {
        value: runId,
      }),
    )
    this.#release(runId)
  }

  startWaiting(): void {
    while (
      this.#waitingToStart.length > 0 &&
      this.#running() < this.#o.maxConcurrentRuns &&
      !this.#o.scope.closed
    ) {
      const executor = this.#live.get(this.#waitingToStart.shift()!)
      if (executor?.state.status !== 'queued') continue
      const s = executor.state
      executor
        .send({
          type: 'workflow.started',
          definitionId: s.definitionId,
          version: s.version,
          at: this.#o.now(),
        })
        .catch((error: unknown) => {
          // A failed write already stopped the run and reached `#broken` (it pauses with
          // STORAGE_FAILED); a typed refusal means the executor stopped (close, a lost lock),
          // whose own path owns the run. Anything else is a fault of ours: report it.
          if (!(error instanceof SpindleError)) reportUnhandledError(error)
        })
    }
  }

  /**
   * A journal write failed. The run stops here; what it did since its last commit is lost from
   * memory but was never published. A fenced write means another executor owns the run now.
   * Otherwise the run is reloaded from what the store holds and paused with the reason.
   */
  broken(executor: RunExecutor, error: unknown): void {
    const runId = executor.runId
    if (this.#live.get(runId) !== executor) return
    this.#live.delete(runId)
    // A new run whose record was never written: nothing of it is stored, nothing to reload.
    if (this.#unwritten.delete(runId)) {
      this.#release(runId)
      return
    }
    // A stale write: another executor owns the run now. A second failure in a row: the store
    // is still failing; the run stays as stored and the next recover() resumes it.
    if (error instanceof StaleExecutorError || this.#o.scope.closed || this.#failing.has(runId)) {
      this.#failing.delete(runId)
      this.#release(runId)
      return
    }
    this.#failing.add(runId)
    const info = toErrorInfo(error, 'STORAGE_FAILED')
    this.#o.scope
      .run(() =>
        this.adoptAgain(runId, {
          type: 'workflow.paused',
          reason: `${info.code}: ${info.message}`,
          error: info,
          at: this.#o.now(),
        }),
      )
      .then(() => this.#failing.delete(runId))
      .catch(async (failure: unknown) => {
        // The run stays as stored, unlocked; the next recover() resumes it.
        this.#failing.delete(runId)
        this.#live.delete(runId)
        this.#release(runId)
        await this.#releasing.get(runId)
        if (!(failure instanceof EngineClosedError)) reportUnhandledError(failure)
      })
  }

  /** Runs that take a `maxConcurrentRuns` slot now (see `holdsSlot`). */
  #running(): number {
    let n = 0
    for (const executor of this.#live.values()) if (holdsSlot(executor.state)) n++
    return n
  }
}

/** A running run whose record says it is dormant: it needs no executor until it wakes. */
function isPassive(record: RunRecord): boolean {
  return record.status === 'running' && record.wakeAt !== undefined
}
