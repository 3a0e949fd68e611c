import { Subject } from 'rxjs'
import { builtinActions } from '../actions/builtins'
import { isAction } from '../actions/define-action'
import { runInput } from '../boundary'
import { checkpointsOf } from '../core/checkpoints'
import { emptyRunData } from '../core/run-data'
import type { RunSnapshot } from '../core/run-replica'
import { definitionDigest } from '../definition/definition-digest'
import { validateInput } from '../definition/params'
import { ArgumentError, EngineClosedError, InputError, NotFoundError, TimeoutError } from '../errors'
import { DeadlineWakeups } from '../host/deadline-wakeups'
import { DefinitionRegistry } from '../host/definition-registry'
import { untilIdle } from '../host/engine-idle'
import { EngineScope } from '../host/engine-scope'
import { EngineStreams } from '../host/engine-streams'
import { LiveRuns } from '../host/live-runs'
import { tryLockRun } from '../host/locks'
import { rollBack } from '../host/rollback'
import { HostServices } from '../host/services'
import { JournalWriter } from '../runtime/journal'
import { reportUnhandledError } from '../runtime/report-unhandled-error'
import { type ExecutorHost, RunExecutor } from '../runtime/run-executor'
import { runInspector } from '../runtime/run-inspector'
import { runInfo, runView } from '../runtime/run-view'
import type { RunnableAction } from '../runtime/task-runner'
import { systemClock } from '../runtime/timers'
import { memoryStore } from '../store/memory-store'
import type { RunRecord, Store } from '../store/store'
import type {
  Alert,
  CheckpointInfo,
  DefinitionInfo,
  HistoryEntry,
  RunFilter,
  RunInfo,
  RunPage,
  RunView,
  StartOptions,
  ValidationResult,
  WaitOptions,
  WorkflowDefinition,
  WorkflowEvent,
} from '../types'
import { type ControlContext, callControl } from './call-control'
import { CONTROL_CALLS, type ControlName } from './controls'
import {
  checkEngineOptions,
  checkId,
  checkLimit,
  checkStartOptions,
  checkWaitOptions,
  recordInfo,
  runQuery,
} from './engine-arguments'
import type { Engine, EngineOptions } from './engine-types'
import { encodeRunCursor } from './run-cursor'

/**
 * Creates a workflow engine. It runs where it is created (a worker, a page, Node); use
 * `serveEngine` / `connectEngine` to run it in a Web Worker and drive it from the page.
 * Unless `recover: false`, it resumes the store's interrupted runs at once.
 *
 * @example
 * const engine = createEngine({
 *   store: indexedDbStore({ name: 'orders' }),
 *   actions: { 'charge-card': async ({ amount }, ctx) => pay(amount, { key: ctx.idempotencyKey }) },
 * })
 * await engine.register(definition)
 * const run = await engine.start('order-pipeline', { orderId: 'A-1' })
 * const done = await engine.wait(run.runId)
 */
export function createEngine(options: EngineOptions = {}): Engine {
  checkEngineOptions(options)
  return new SpindleEngine(options)
}

// The control calls are installed from the table (the static block below), not written out.
// biome-ignore lint/correctness/noUnusedVariables: it merges into the class below, whose static block defines every method it adds.
interface SpindleEngine extends Pick<Engine, ControlName> {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the static block defines the methods the interface above adds.
class SpindleEngine implements Engine {
  static {
    for (const name of CONTROL_CALLS) {
      Object.defineProperty(SpindleEngine.prototype, name, {
        value(this: SpindleEngine, ...args: unknown[]) {
          return callControl(this.#controls, name, args)
        },
        writable: true,
        configurable: true,
      })
    }
  }

  readonly #store: Store
  readonly #clock
  readonly #random: () => number
  readonly #actions = new Map<string, RunnableAction>()
  readonly #defaults: EngineOptions['defaults']
  readonly #journal: JournalWriter
  readonly #definitions: DefinitionRegistry
  readonly #events = new Subject<WorkflowEvent>()
  readonly #alerts = new Subject<Alert>()
  readonly #streams: EngineStreams
  readonly #host: ExecutorHost
  readonly #runs: LiveRuns
  readonly #id = `engine-${Math.random().toString(36).slice(2, 10)}`
  readonly #scope = new EngineScope()
  readonly #controls: ControlContext
  readonly #services: HostServices
  readonly #wakeups: DeadlineWakeups
  #closing: Promise<void> | undefined
  /** The constructor's recovery; idle() waits for it, as it starts the recovered runs. */
  #recovering: Promise<void> = Promise.resolve()
  /** Pending `wait()`s: close() rejects them and resolves only once they settled. */
  readonly #waits = new Set<Promise<RunView>>()

  readonly events$
  readonly alerts$

  get storeName(): string {
    return this.#store.name
  }

  get actionNames(): readonly string[] {
    return [...this.#actions.keys()]
  }

  constructor(options: EngineOptions) {
    this.#store = options.store ?? memoryStore()
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#defaults = options.defaults
    for (const [name, action] of Object.entries(builtinActions))
      this.#actions.set(name, { run: action, builtin: true })
    for (const [name, action] of Object.entries(options.actions ?? {})) {
      if (builtinActions[name]) {
        throw new ArgumentError(`"${name}" is a built-in action; register yours under another name.`, {
          value: name,
        })
      }
      if (typeof action === 'function') this.#actions.set(name, { run: action })
      // Only what an Action declares is kept: a user action never gets a built-in's capabilities.
      else if (isAction(action))
        this.#actions.set(name, {
          run: (input, ctx) => action.run(input, ctx),
          input: action.input,
          output: action.output,
        })
      else {
        throw new ArgumentError(
          `Action "${name}" must be a function (params, ctx) => result or made with defineAction().`,
          { value: action },
        )
      }
    }
    this.#journal = new JournalWriter(this.#store)
    const actionNames = new Set(this.#actions.keys())
    this.#definitions = new DefinitionRegistry({
      store: this.#store,
      actions: () => actionNames,
      defaults: options.defaults,
      now: () => this.#clock.now(),
    })
    this.#streams = new EngineStreams({
      events: this.#events,
      alerts: this.#alerts,
      now: () => this.#clock.now(),
      live: () => this.#runs.values(),
      liveRun: (runId) => this.#runs.get(runId),
      view: (runId) => this.getRun(runId),
    })
    this.events$ = this.#events.asObservable()
    this.alerts$ = this.#alerts.asObservable()
    this.#host = {
      journal: this.#journal,
      snapshotEvery: options.snapshotEvery ?? 200,
      now: () => this.#clock.now(),
      random: () => this.#random(),
      setTimeout: (callback, ms) => this.#clock.setTimeout(callback, ms),
      clearTimeout: (handle) => this.#clock.clearTimeout(handle),
      action: (name) => this.#actions.get(name)!,
      inspect: runInspector(options.inspect),
      publish: (event) => {
        // Subject.next costs a closure per event even with no one to hear it.
        if (this.#events.observed) this.#events.next(event)
        this.#streams.observe(event)
        this.#runs.observe(event)
      },
      settled: (executor) => this.#runs.settled(executor),
      broken: (executor, error) => this.#runs.broken(executor, error),
    }
    this.#services = new HostServices(this.#store.name, this.#scope)
    this.#wakeups = new DeadlineWakeups({
      store: this.#store,
      clock: this.#clock,
      scope: this.#scope,
      wake: (runId) => this.#runs.wake(runId),
      leading: () => this.#runs.passivateDormant(),
    })
    this.#runs = new LiveRuns({
      store: this.#store,
      host: this.#host,
      executorId: this.#id,
      maxConcurrentRuns: checkLimit(options.maxConcurrentRuns),
      now: () => this.#clock.now(),
      definitionOf: (record) => this.#definitions.forRun(record),
      streams: this.#streams,
      scope: this.#scope,
      passivation: this.#wakeups,
    })
    this.#controls = {
      scope: this.#scope,
      runs: this.#runs,
      now: () => this.#clock.now(),
      find: (runId) => this.#find(runId),
      rollBack: (runId, checkpointId) =>
        rollBack(
          {
            store: this.#store,
            host: this.#host,
            runs: this.#runs,
            now: () => this.#clock.now(),
            find: (id) => this.#find(id),
          },
          runId,
          checkpointId,
        ),
    }
    this.#services.register(this.#wakeups)
    this.#services.open()
    if (options.recover !== false) {
      // Nobody awaits the first recovery: a failure is reported, as an uncaught error would be;
      // the runs stay as stored and a later recover() retries them. A close() that cuts it short
      // is no failure.
      this.#recovering = this.recover().then(
        () => undefined,
        (error) => {
          if (!(error instanceof EngineClosedError)) reportUnhandledError(error)
        },
      )
    }
  }

  // ─── definitions ───────────────────────────────────────────────────────────────────────

  validate(definition: unknown): ValidationResult {
    return this.#definitions.validate(definition)
  }

  async register(definition: unknown): Promise<DefinitionInfo> {
    this.#open()
    return this.#definitions.register(definition)
  }

  async getDefinition(id: string, version?: string): Promise<WorkflowDefinition | undefined> {
    checkId('definition id', id)
    return this.#definitions.get(id, version)
  }

  async listDefinitions(): Promise<DefinitionInfo[]> {
    return this.#definitions.list()
  }

  async deleteDefinition(id: string, version?: string): Promise<void> {
    this.#open()
    checkId('definition id', id)
    await this.#definitions.delete(id, version)
  }

  // ─── runs ──────────────────────────────────────────────────────────────────────────────

  async start(
    definitionId: string,
    input: Record<string, unknown> = {},
    options: StartOptions = {},
  ): Promise<RunInfo> {
    return this.#scope.run(() => this.#start(definitionId, input, options))
  }

  async #start(
    definitionId: string,
    input: Record<string, unknown>,
    options: StartOptions,
  ): Promise<RunInfo> {
    checkId('definition id', definitionId)
    checkStartOptions(options)
    const { wf, version } = await this.#definitions.forStart(definitionId, options.version)
    this.#scope.check()
    const checked = validateInput(wf.definition, input)
    if (!checked.ok) throw new InputError(checked.issues, { value: input })
    if (options.runId !== undefined) checkId('runId', options.runId)
    const timeoutMs = options.timeoutMs ?? wf.timeoutMs
    if (
      !(timeoutMs === undefined || (typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs < Infinity))
    ) {
      throw new ArgumentError(
        `start: timeoutMs must be a number of milliseconds > 0; got ${String(timeoutMs)}.`,
        {
          value: timeoutMs,
        },
      )
    }
    const now = this.#clock.now()
    const deadline = timeoutMs === undefined ? {} : { deadline: now + timeoutMs, timeoutMs }
    const record: RunRecord = {
      runId: options.runId ?? crypto.randomUUID(),
      definitionId,
      version,
      definitionDigest: definitionDigest(wf.definition),
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      input: runInput(checked.value),
      ...(options.principal !== undefined && { principal: options.principal }),
      epoch: 1,
      executor: this.#id,
      seq: 0,
    }
    const lock = await tryLockRun(this.#store.name, record.runId)
    if (!lock) {
      throw new ArgumentError(`Run id "${record.runId}" is in use by another engine; pick another runId.`, {
        value: record.runId,
      })
    }
    try {
      // Only a caller's id can name a stored run: a generated one is a random UUID, and reading
      // the store for it would cost every start a store read (a transaction on IndexedDB).
      if (options.runId !== undefined && (await this.#store.getRun(record.runId))) {
        throw new ArgumentError(`A run with id "${record.runId}" exists already; pick another runId.`, {
          value: record.runId,
        })
      }
      this.#scope.check()
    } catch (error) {
      await lock.release()
      throw error
    }
    // The record is written with the run's first entries, in one transaction: a start() that
    // fails to write leaves no record that a later engine would recover and run.
    const executor = new RunExecutor(this.#host, wf, record, emptyRunData(), undefined, { newRun: true })
    const first = this.#runs.add(executor, lock) ? 'workflow.started' : 'workflow.queued'
    await executor.send({ type: first, definitionId, version, ...deadline, at: now })
    this.#runs.recorded(record.runId)
    return runInfo(executor)
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    const executor = await this.#find(runId)
    return executor && runView(executor, this.#clock.now())
  }

  async runSnapshot(runId: string): Promise<RunSnapshot | undefined> {
    const executor = await this.#find(runId)
    if (!executor) return undefined
    const state = structuredClone(executor.state)
    return { definition: executor.wf.definition, defaults: this.#defaults, state, seq: state.seq }
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    const query = runQuery(filter)
    await this.#journal.committed()
    // One run more than the page holds says whether there is a next page.
    const records = await this.#store.listRuns({ ...query, limit: query.limit + 1 })
    const runs = records.slice(0, query.limit).map((r) => {
      const live = this.#runs.get(r.runId)
      return live ? runInfo(live) : recordInfo(r)
    })
    const last = records.length > query.limit ? records[query.limit - 1] : undefined
    return last ? { runs, next: encodeRunCursor(last) } : { runs }
  }

  async checkpoints(runId: string): Promise<CheckpointInfo[]> {
    await this.#requireRecord(runId)
    await this.#journal.committed()
    return checkpointsOf(runId, await this.#store.readJournal(runId))
  }

  async history(runId: string): Promise<HistoryEntry[]> {
    await this.#requireRecord(runId)
    await this.#journal.committed()
    return this.#store.readJournal(runId)
  }

  wait(runId: string, options: WaitOptions = {}): Promise<RunView> {
    const waiting = this.#wait(runId, options)
    // close() settles these before it resolves; the caller's handlers run first.
    this.#waits.add(waiting)
    const forget = () => this.#waits.delete(waiting)
    waiting.then(forget, forget)
    return waiting
  }

  async #wait(runId: string, options: WaitOptions): Promise<RunView> {
    this.#open()
    checkWaitOptions(options)
    const { timeoutMs } = options
    await this.#requireRecord(runId)
    return this.#streams.waitForEnd(
      runId,
      timeoutMs,
      this.#clock,
      (ms) => new TimeoutError(`Run "${runId}" did not finish within ${ms} ms.`, { value: runId }),
    )
  }

  progress$(runId: string) {
    checkId('runId', runId)
    return this.#streams.progress$(runId)
  }

  health$(runId?: string) {
    if (runId !== undefined) checkId('runId', runId)
    return this.#streams.health$(runId)
  }

  // ─── lifecycle ─────────────────────────────────────────────────────────────────────────

  async recover(): Promise<RunInfo[]> {
    return this.#scope.run(async () => {
      const records = await this.#store.listRuns({ status: ['running', 'queued'] })
      this.#scope.check()
      // Passive runs are left out below: the deadline heap wakes them (at once if overdue).
      this.#wakeups.recovered()
      return (await this.#runs.recoverAll(records.reverse())).map(runInfo)
    })
  }

  async idle(): Promise<void> {
    await this.#recovering
    // A passive run whose time came is on its way back into memory: that is work of the engine.
    await this.#wakeups.settled()
    return untilIdle(this.#journal, () => this.#runs.values())
  }

  /**
   * Closes the engine: refuses new calls, waits for the operations in flight (each stops at its
   * next await), stops every run, releases every lock and rejects pending `wait()`s with
   * `ENGINE_CLOSED`. Nothing of this engine executes after it resolves.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    await this.#scope.close()
    await this.#services.close()
    await this.#runs.close(() => this.#journal.settled())
    this.#streams.close()
    // Completing the event stream rejects every pending wait() with ENGINE_CLOSED.
    this.#events.complete()
    this.#alerts.complete()
    await Promise.allSettled(this.#waits)
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────

  #open(): void {
    this.#scope.check()
  }

  /** A run to read: live, recently finished, or restored from the store without executing it. */
  async #find(runId: string): Promise<RunExecutor | undefined> {
    checkId('runId', runId)
    const executor =
      this.#runs.get(runId) ?? this.#streams.recent(runId) ?? (await this.#runs.load(runId, false))
    return executor === 'held' ? undefined : executor
  }

  async #requireRecord(runId: string): Promise<void> {
    checkId('runId', runId)
    if (this.#runs.get(runId)) return
    if (!(await this.#store.getRun(runId))) {
      throw new NotFoundError(`No run "${runId}" in store "${this.#store.name}".`, { value: runId })
    }
  }
}
