import type { RunEvent } from '../core/run-reducer'
import { EngineClosedError, InvalidStateError, NotFoundError, StaleExecutorError } from '../errors'
import { type ExecutorHost, isTerminalStatus, type RunExecutor } from '../runtime/run-executor'
import type { RunRecord, Store } from '../store/store'
import type { CompiledWorkflow, WorkflowEvent } from '../types'
import type { EngineScope } from './engine-scope'
import type { EngineStreams } from './engine-streams'
import type { RunLock } from './locks'
import { RunAdmission } from './run-admission'
import { RunAdoption } from './run-adoption'
import { RunFencing } from './run-fencing'
import { RunLocks } from './run-locks'
import { type Passivation, RunPassivation } from './run-passivation'
import { recoverRuns } from './run-recovery'
import { heldElsewhere, rollingBack } from './run-refusals'
import { RunReloads } from './run-reloads'
import { RunTakeovers } from './run-takeovers'

export interface LiveRunsOptions {
  store: Store
  host: ExecutorHost
  /** Names this engine in claims and `workflow.recovered`. */
  executorId: string
  maxConcurrentRuns: number
  now(): number
  /** The compiled version a stored run uses (see `DefinitionRegistry.forRun`). */
  definitionOf(record: RunRecord): Promise<CompiledWorkflow>
  streams: EngineStreams
  /** The engine's lifetime: checked after every await, so nothing is taken once it closes. */
  scope: EngineScope
  /** Where dormant runs go when they leave memory (see `dormantUntil`). */
  passivation?: Passivation
  /** A stored run was made live here to execute (its child runs may have ended meanwhile). */
  adopted?(executor: RunExecutor): void
}

/**
 * The runs an engine executes, and how it takes them and gives them up: each under its Web Lock
 * `spindle:<db>:run:<runId>` with a fresh fencing epoch (guarantee 3), loaded from the store when
 * needed (`RunAdoption`), recovered together (`recoverRuns`), taken over when another engine
 * lets go (`RunTakeovers`), fenced for a rollback (`RunFencing`), reloaded and paused after a
 * failed write (`RunReloads`), started in order under `maxConcurrentRuns` (`RunAdmission`) and
 * out of memory while dormant (`RunPassivation`).
 */
export class LiveRuns {
  readonly #o: LiveRunsOptions
  readonly #live = new Map<string, RunExecutor>()
  /** Runs being taken over by `recoverAll`: a load waits for it, then looks again. */
  readonly #recovering = new Map<string, Promise<void>>()
  /** Web Locks of the runs this engine executes, and those being given up. */
  readonly #locks = new RunLocks()
  /** New runs whose first write (with their record) has not committed yet. */
  readonly #unwritten = new Set<string>()
  readonly #admission: RunAdmission
  readonly #adoption: RunAdoption
  readonly #fencing: RunFencing
  readonly #reloads: RunReloads
  readonly #takeovers: RunTakeovers
  readonly #passivation: RunPassivation
  /** What the parts above share. */
  readonly #shared

  constructor(options: LiveRunsOptions) {
    this.#o = options
    const shared = {
      store: options.store,
      scope: options.scope,
      host: options.host,
      streams: options.streams,
      executorId: options.executorId,
      now: options.now,
      live: this.#live,
      locks: this.#locks,
      definitionOf: options.definitionOf,
    }
    this.#shared = shared
    this.#admission = new RunAdmission({ ...shared, maxConcurrentRuns: options.maxConcurrentRuns })
    this.#adoption = new RunAdoption({
      ...shared,
      recovering: this.#recovering,
      passivation: options.passivation,
      fenced: (runId) => this.#fencing.has(runId),
      keep: (executor, lock) => this.#keep(executor, lock),
      startWaiting: () => this.startWaiting(),
    })
    this.#reloads = new RunReloads({ ...shared, dropUnwritten: (runId) => this.#unwritten.delete(runId) })
    this.#fencing = new RunFencing({
      ...shared,
      hold: (runId, lock) => this.#hold(runId, lock),
      adoptAgain: (runId, pause) => this.adoptAgain(runId, pause),
      loaded: (runId) => this.#adoption.loaded(runId),
    })
    this.#takeovers = new RunTakeovers({
      ...shared,
      passivation: options.passivation,
      adopt: (runId, wf, lock) => this.#adoption.adopt(runId, wf, lock),
    })
    this.#passivation = new RunPassivation(
      {
        scope: options.scope,
        now: options.now,
        live: (runId) => this.#live.get(runId),
        held: (runId) => this.#fencing.has(runId) || this.#unwritten.has(runId) || this.#reloads.has(runId),
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
    if (this.#admission.hasRoom()) return true
    this.#admission.queue(runId)
    return false
  }

  /** The first write of a run from `add` committed: its record is stored. */
  recorded(runId: string): void {
    this.#unwritten.delete(runId)
    this.#admission.recorded()
  }

  /** Whether this engine still holds the lock of a run it fenced (another may have stolen it). */
  holds(runId: string): boolean {
    return this.#locks.holds(runId)
  }

  /** See `RunFencing.fence`. */
  fence(runId: string): Promise<RunExecutor> {
    return this.#fencing.fence(runId)
  }

  /** See `RunFencing.replace`. */
  replace(executor: RunExecutor): void {
    this.#fencing.replace(executor)
  }

  /** See `RunFencing.giveBack`. */
  giveBack(runId: string, pause: RunEvent): Promise<void> {
    return this.#fencing.giveBack(runId, pause)
  }

  /** See `RunFencing.letGo`. */
  letGo(runId: string): void {
    this.#fencing.letGo(runId)
  }

  /** Takes over stored runs all at once (see `recoverRuns`). */
  recoverAll(records: readonly RunRecord[]): Promise<RunExecutor[]> {
    return recoverRuns(
      {
        ...this.#shared,
        taken: (runId) => this.#live.has(runId) || this.#adoption.loadingToExecute(runId),
        recovering: this.#recovering,
        takeOverLater: (runId) => this.takeOverLater(runId),
        keep: (executor, lock) => this.#keep(executor, lock),
        reserve: (runIds) => this.#admission.reserve(runIds),
        unreserve: (runIds) => this.#admission.unreserve(runIds),
      },
      records,
    )
  }

  /**
   * Stops every run (recording nothing), lets go of every lock and waiting takeover. Called once
   * the engine scope is closed and every operation in it has settled, so no lock is taken after.
   */
  async close(settled: () => Promise<void>): Promise<void> {
    for (const executor of this.#live.values())
      executor.stop('the engine was closed', new EngineClosedError())
    this.#takeovers.abortAll()
    await settled()
    this.#live.clear()
    await this.#locks.releaseAll()
  }

  /** The live executor of a run, loading (and locking) it when needed. */
  async executing(runId: string): Promise<RunExecutor> {
    if (this.#fencing.has(runId)) throw rollingBack(runId)
    const executor = this.#live.get(runId) ?? (await this.load(runId, true))
    if (!executor)
      throw new NotFoundError(`No run "${runId}" in store "${this.#o.store.name}".`, { value: runId })
    if (executor === 'held') {
      if (this.#fencing.has(runId)) throw rollingBack(runId)
      throw heldElsewhere(runId, this.#o.store.name)
    }
    // Until `releaseIfEnded`, which every control call ends with, the run stays in memory.
    this.#passivation.callStarted(runId)
    return executor
  }

  /** See `RunAdoption.load`. */
  load(runId: string, execute: boolean): Promise<RunExecutor | undefined | 'held'> {
    return this.#adoption.load(runId, execute)
  }

  /** A restored run made live under its lock; a queued one waits its turn. */
  #keep(executor: RunExecutor, lock: RunLock): void {
    const { runId } = executor
    this.#hold(runId, lock)
    this.#live.set(runId, executor)
    if (executor.state.status === 'queued') this.#admission.queueStored(runId)
    this.#o.adopted?.(executor)
  }

  /** See `RunReloads.adoptAgain`. */
  adoptAgain(runId: string, pause: RunEvent): Promise<void> {
    return this.#reloads.adoptAgain(runId, pause)
  }

  #hold(runId: string, lock: RunLock): void {
    this.#locks.hold(runId, lock, () => {
      // Another executor stole the lock: stop at once; fencing refuses any write still queued.
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

  /** See `RunTakeovers.later`. */
  takeOverLater(runId: string): void {
    this.#takeovers.later(runId)
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
    await this.#locks.releasing(runId)
  }

  settled(executor: RunExecutor): void {
    this.#o.streams.remember(executor)
    if (this.#live.get(executor.runId) === executor) {
      this.#live.delete(executor.runId)
      this.#locks.release(executor.runId)
    }
    this.startWaiting()
  }

  /** After each published event: a queued run may start, a dormant one may leave memory. */
  observe(event: WorkflowEvent): void {
    this.#admission.observe(event)
    const executor = this.#live.get(event.runId)
    if (executor) this.#passivation.committed(executor)
  }

  /** This engine wakes passive runs from now on: its dormant runs leave memory. */
  passivateDormant(): void {
    for (const executor of this.#live.values()) this.#passivation.committed(executor)
  }

  /** See `RunAdoption.wake`. */
  wake(runId: string): Promise<void> {
    return this.#adoption.wake(runId)
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
    this.#locks.release(runId)
  }

  /** See `RunAdmission.startWaiting`. */
  startWaiting(): void {
    this.#admission.startWaiting()
  }

  /** See `RunReloads.broken`. */
  broken(executor: RunExecutor, error: unknown): void {
    this.#reloads.broken(executor, error)
  }
}
