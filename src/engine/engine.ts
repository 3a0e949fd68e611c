import { Subject } from 'rxjs'
import { builtinActions } from '../actions/builtins'
import { isAction } from '../actions/define-action'
import { compileWorkflow } from '../definition/compile'
import { loadDefinition } from '../definition/load'
import { validateInput } from '../definition/params'
import {
  ArgumentError,
  DefinitionError,
  EngineClosedError,
  InputError,
  InvalidStateError,
  NotFoundError,
  StaleExecutorError,
  TimeoutError,
  toErrorInfo,
} from '../errors'
import { memoryStore } from '../store/memory-store'
import type { RunRecord, Store, StoredDefinition } from '../store/store'
import type {
  Alert,
  CheckpointInfo,
  CompiledWorkflow,
  DefinitionInfo,
  Engine,
  EngineOptions,
  RunFilter,
  RunInfo,
  RunStatus,
  RunView,
  StartOptions,
  ValidationResult,
  WorkflowDefinition,
  WorkflowEvent,
} from '../types'
import { checkpointsOf } from './checkpoints'
import { EngineStreams } from './engine-streams'
import { JournalWriter } from './journal'
import { type ExecutorHost, isTerminalStatus, RunExecutor } from './run-executor'
import type { RunEvent } from './run-reducer'
import { emptyRunData, restoreRun } from './run-restore'
import { runInfo, runView } from './run-view'
import type { RunnableAction } from './task-runner'
import { systemClock } from './timers'

const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']

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
  return new SpindleEngine(options)
}

class SpindleEngine implements Engine {
  readonly #store: Store
  readonly #clock
  readonly #random: () => number
  readonly #actions = new Map<string, RunnableAction>()
  readonly #defaults: EngineOptions['defaults']
  readonly #maxConcurrentRuns: number
  readonly #journal: JournalWriter
  readonly #compiled = new Map<string, CompiledWorkflow>()
  readonly #live = new Map<string, RunExecutor>()
  readonly #loading = new Map<string, Promise<RunExecutor | undefined>>()
  readonly #waitingToStart: string[] = []
  readonly #events = new Subject<WorkflowEvent>()
  readonly #alerts = new Subject<Alert>()
  readonly #streams: EngineStreams
  readonly #host: ExecutorHost
  readonly #id = `engine-${Math.random().toString(36).slice(2, 10)}`
  #closed = false
  readonly #recovered: Promise<RunInfo[]>

  readonly events$
  readonly alerts$

  constructor(options: EngineOptions) {
    this.#store = options.store ?? memoryStore()
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#defaults = options.defaults
    this.#maxConcurrentRuns = checkLimit(options.maxConcurrentRuns)
    for (const [name, action] of Object.entries(builtinActions)) this.#actions.set(name, { run: action })
    for (const [name, action] of Object.entries(options.actions ?? {})) {
      if (builtinActions[name]) {
        throw new ArgumentError(`"${name}" is a built-in action; register yours under another name.`, {
          value: name,
        })
      }
      if (typeof action === 'function') this.#actions.set(name, { run: action })
      else if (isAction(action)) this.#actions.set(name, action)
      else {
        throw new ArgumentError(
          `Action "${name}" must be a function (params, ctx) => result or made with defineAction().`,
          { value: action },
        )
      }
    }
    this.#journal = new JournalWriter(this.#store)
    this.#streams = new EngineStreams({
      events: this.#events,
      alerts: this.#alerts,
      now: () => this.#clock.now(),
      live: () => this.#live.values(),
      liveRun: (runId) => this.#live.get(runId),
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
      publish: (event) => {
        this.#events.next(event)
        this.#streams.observe(event)
      },
      settled: (executor) => this.#settled(executor),
      broken: (executor, error) => this.#broken(executor, error),
    }
    this.#recovered = options.recover === false ? Promise.resolve([]) : this.recover()
    this.#recovered.catch(() => {})
  }

  // ─── definitions ───────────────────────────────────────────────────────────────────────

  validate(definition: unknown): ValidationResult {
    const loaded = loadDefinition(definition, { actions: new Set(this.#actions.keys()) })
    return { ok: loaded.ok, issues: loaded.issues }
  }

  async register(definition: unknown): Promise<DefinitionInfo> {
    this.#open()
    const loaded = loadDefinition(definition, { actions: new Set(this.#actions.keys()) })
    if (!loaded.ok) throw new DefinitionError(loaded.issues, { value: definition })
    const def = loaded.definition
    const existing = await this.#store.getDefinition(def.id, def.version)
    if (existing) {
      if (JSON.stringify(existing.definition) === JSON.stringify(def)) return definitionInfo(existing)
      throw new DefinitionError([
        {
          path: 'version',
          code: 'version_exists',
          message: `Version ${def.version} of "${def.id}" is registered with other content; runs are pinned to it. Bump the version.`,
        },
      ])
    }
    const record: StoredDefinition = {
      id: def.id,
      version: def.version,
      name: def.name,
      description: def.description,
      schemaVersion: def.schemaVersion,
      migratedFrom: loaded.migratedFrom,
      registeredAt: this.#clock.now(),
      definition: def,
    }
    await this.#store.putDefinition(record)
    return definitionInfo(record)
  }

  async getDefinition(id: string, version?: string): Promise<WorkflowDefinition | undefined> {
    checkId('definition id', id)
    return (await this.#store.getDefinition(id, version))?.definition
  }

  async listDefinitions(): Promise<DefinitionInfo[]> {
    return (await this.#store.listDefinitions()).map(definitionInfo)
  }

  async deleteDefinition(id: string, version?: string): Promise<void> {
    this.#open()
    checkId('definition id', id)
    const active = await this.#store.listRuns({
      definitionId: id,
      status: ['queued', 'running', 'paused', 'failed'],
    })
    const pinned = active.filter((r) => version === undefined || r.version === version)
    if (pinned.length > 0) {
      throw new InvalidStateError(
        `Cannot delete "${id}"${version ? `@${version}` : ''}: ${pinned.length} unfinished run(s) use it (e.g. ${pinned[0]!.runId}). Cancel them first.`,
        { value: { id, version } },
      )
    }
    if ((await this.#store.deleteDefinition(id, version)) === 0) {
      throw new NotFoundError(`No definition "${id}"${version ? ` version ${version}` : ''} is registered.`, {
        value: { id, version },
      })
    }
  }

  // ─── runs ──────────────────────────────────────────────────────────────────────────────

  async start(
    definitionId: string,
    input: Record<string, unknown> = {},
    options: StartOptions = {},
  ): Promise<RunInfo> {
    this.#open()
    checkId('definition id', definitionId)
    const stored = await this.#store.getDefinition(definitionId, options.version)
    if (!stored) {
      throw new NotFoundError(
        `No definition "${definitionId}"${options.version ? ` version ${options.version}` : ''} is registered; register it first.`,
        { value: definitionId },
      )
    }
    const checked = validateInput(stored.definition, input)
    if (!checked.ok) throw new InputError(checked.issues, { value: input })
    if (options.runId !== undefined) checkId('runId', options.runId)
    const now = this.#clock.now()
    const record: RunRecord = {
      runId: options.runId ?? crypto.randomUUID(),
      definitionId,
      version: stored.version,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      input: checked.value,
      ...(options.principal !== undefined && { principal: options.principal }),
      epoch: 1,
      executor: this.#id,
      seq: 0,
    }
    await this.#store.createRun(record)
    const executor = new RunExecutor(this.#host, this.#compile(stored.definition), record, emptyRunData())
    this.#live.set(record.runId, executor)
    if (this.#running() < this.#maxConcurrentRuns) {
      await executor.send({ type: 'workflow.started', definitionId, version: stored.version, at: now })
    } else {
      this.#waitingToStart.push(record.runId)
      await executor.send({ type: 'workflow.queued', definitionId, version: stored.version, at: now })
    }
    return runInfo(executor)
  }

  async pause(runId: string): Promise<RunInfo> {
    return this.#control(
      runId,
      { type: 'workflow.paused', reason: 'paused by request', at: 0 },
      'only a running run can be paused',
    )
  }

  async resume(runId: string): Promise<RunInfo> {
    return this.#control(runId, { type: 'workflow.resumed', at: 0 }, 'only a paused run can be resumed')
  }

  async cancel(runId: string, reason?: string): Promise<RunInfo> {
    if (reason !== undefined && typeof reason !== 'string') {
      throw new ArgumentError('cancel: reason must be a string.', { value: reason })
    }
    return this.#control(
      runId,
      { type: 'workflow.cancelled', ...(reason !== undefined && { reason }), at: 0 },
      'a completed or cancelled run cannot be cancelled',
    )
  }

  async retryTask(runId: string, taskId: string): Promise<RunInfo> {
    return this.#control(
      runId,
      { type: 'task.retrying', taskId, attempt: 0, delayMs: 0, manual: true, at: 0 },
      `only a failed task of a running, paused or failed run can be retried`,
      taskId,
    )
  }

  async skipTask(runId: string, taskId: string): Promise<RunInfo> {
    return this.#control(
      runId,
      { type: 'task.skipped', taskId, reason: 'manual', at: 0 },
      'completed or skipped tasks, and tasks of completed, cancelled or queued runs, cannot be skipped',
      taskId,
    )
  }

  async signal(runId: string, name: string, payload?: unknown): Promise<RunInfo> {
    if (typeof name !== 'string' || name === '') {
      throw new ArgumentError('signal: name must be a non-empty string.', { value: name })
    }
    try {
      structuredClone(payload)
    } catch (cause) {
      throw new ArgumentError('signal: the payload must be structured-clone-safe data.', {
        value: payload,
        cause,
      })
    }
    return this.#control(
      runId,
      { type: 'signal.received', name, payload, at: 0 },
      'signals go only to queued, running, paused or failed runs',
    )
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    checkId('runId', runId)
    const executor = this.#live.get(runId) ?? this.#streams.recent(runId) ?? (await this.#load(runId, false))
    return executor && runView(executor, this.#clock.now())
  }

  async listRuns(filter: RunFilter = {}): Promise<RunInfo[]> {
    checkFilter(filter)
    await this.#journal.settled()
    const records = await this.#store.listRuns(filter)
    return records.map((r) => {
      const live = this.#live.get(r.runId)
      return live ? runInfo(live) : recordInfo(r)
    })
  }

  async checkpoints(runId: string): Promise<CheckpointInfo[]> {
    await this.#requireRecord(runId)
    await this.#journal.settled()
    return checkpointsOf(runId, await this.#store.readJournal(runId))
  }

  async history(runId: string): Promise<WorkflowEvent[]> {
    await this.#requireRecord(runId)
    await this.#journal.settled()
    return this.#store.readJournal(runId)
  }

  async wait(runId: string, options: { timeoutMs?: number } = {}): Promise<RunView> {
    const timeoutMs = options.timeoutMs
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
      throw new ArgumentError('wait: timeoutMs must be a number ≥ 0.', { value: timeoutMs })
    }
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
    this.#open()
    const records = await this.#store.listRuns({ status: ['running', 'queued'] })
    const resumed: RunInfo[] = []
    for (const record of records.reverse()) {
      if (this.#live.has(record.runId)) continue
      const executor = await this.#load(record.runId, true)
      if (executor) resumed.push(runInfo(executor))
    }
    return resumed
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const executor of this.#live.values()) executor.stop('the engine was closed')
    await this.#journal.settled()
    this.#live.clear()
    this.#streams.close()
    this.#events.complete()
    this.#alerts.complete()
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────

  #open(): void {
    if (this.#closed) throw new EngineClosedError()
  }

  #compile(def: WorkflowDefinition): CompiledWorkflow {
    const key = `${def.id}@${def.version}`
    let wf = this.#compiled.get(key)
    if (!wf) {
      wf = compileWorkflow(def, this.#defaults)
      this.#compiled.set(key, wf)
    }
    return wf
  }

  #running(): number {
    let n = 0
    for (const executor of this.#live.values()) {
      const status = executor.state.status
      if (status === 'running' || status === 'paused') n++
    }
    return n
  }

  async #control(runId: string, draft: RunEvent, rule: string, taskId?: string): Promise<RunInfo> {
    this.#open()
    checkId('runId', runId)
    if (taskId !== undefined) checkId('taskId', taskId)
    const executor = this.#live.get(runId) ?? (await this.#load(runId, true))
    if (!executor)
      throw new NotFoundError(`No run "${runId}" in store "${this.#store.name}".`, { value: runId })
    if (taskId !== undefined && !executor.wf.tasks.has(taskId)) {
      throw new NotFoundError(`Run "${runId}" has no task "${taskId}".`, { value: taskId })
    }
    const event = { ...draft, at: this.#clock.now() } as RunEvent
    if (event.type === 'task.retrying') event.attempt = executor.state.tasks[taskId!]!.attempts + 1
    if (!executor.can(event)) {
      const status = executor.state.status
      const what = taskId
        ? `task "${taskId}" is ${executor.state.tasks[taskId]!.status} and the run is ${status}`
        : `it is ${status}`
      throw new InvalidStateError(`Cannot ${verb(event)} run "${runId}": ${what}; ${rule}.`, {
        value: { runId, taskId, status },
      })
    }
    await executor.send(event)
    if (!isTerminalStatus(executor.state.status) && !this.#live.has(runId)) this.#live.set(runId, executor)
    return runInfo(executor)
  }

  /** Loads a run that is not live; with `execute`, it becomes live and resumes its work. */
  #load(runId: string, execute: boolean): Promise<RunExecutor | undefined> {
    const key = `${runId}:${execute}`
    let loading = this.#loading.get(key)
    if (!loading) {
      loading = this.#restore(runId, execute).finally(() => this.#loading.delete(key))
      this.#loading.set(key, loading)
    }
    return loading
  }

  async #restore(runId: string, execute: boolean): Promise<RunExecutor | undefined> {
    const live = this.#live.get(runId)
    if (live) return live
    const record = await this.#store.getRun(runId)
    if (!record) return undefined
    const stored = await this.#store.getDefinition(record.definitionId, record.version)
    if (!stored) {
      throw new NotFoundError(
        `Run "${runId}" uses "${record.definitionId}"@${record.version}, which is no longer registered; register that version again.`,
        { value: runId },
      )
    }
    const wf = this.#compile(stored.definition)
    if (!execute) return restoreRun(this.#store, record, wf, this.#host)
    this.#streams.forget(runId)
    const claimed = await this.#store.claimRun(runId, this.#id)
    const executor = await restoreRun(this.#store, claimed, wf, this.#host)
    if (this.#live.has(runId)) return this.#live.get(runId)
    if (isTerminalStatus(executor.state.status)) return executor
    this.#live.set(runId, executor)
    if (executor.state.status === 'queued') this.#waitingToStart.push(runId)
    await executor.resumeWork(this.#id)
    this.#startWaiting()
    return executor
  }

  #settled(executor: RunExecutor): void {
    this.#streams.remember(executor)
    if (this.#live.get(executor.runId) === executor) this.#live.delete(executor.runId)
    this.#startWaiting()
  }

  #startWaiting(): void {
    while (this.#waitingToStart.length > 0 && this.#running() < this.#maxConcurrentRuns && !this.#closed) {
      const executor = this.#live.get(this.#waitingToStart.shift()!)
      if (!executor || executor.state.status !== 'queued') continue
      const s = executor.state
      executor
        .send({
          type: 'workflow.started',
          definitionId: s.definitionId,
          version: s.version,
          at: this.#clock.now(),
        })
        .catch(() => {})
    }
  }

  /**
   * A journal write failed. The run stops here; what it did since its last commit is lost from
   * memory but was never published. A fenced write means another executor owns the run now.
   * Otherwise the run is reloaded from what the store holds and paused with the reason.
   */
  #broken(executor: RunExecutor, error: unknown): void {
    if (this.#live.get(executor.runId) === executor) this.#live.delete(executor.runId)
    if (error instanceof StaleExecutorError || this.#closed) return
    const info = toErrorInfo(error, 'STORAGE_FAILED')
    this.#pauseAfterFailure(executor.runId, info).catch(() => {
      // The store is still failing: the run stays as stored and resumes on the next recover().
    })
  }

  async #pauseAfterFailure(runId: string, error: { code: string; message: string }): Promise<void> {
    const reloaded = await this.#load(runId, false)
    if (!reloaded) return
    const claimed = await this.#store.claimRun(runId, this.#id)
    reloaded.record = claimed
    const reason = `${error.code}: ${error.message}`
    if (reloaded.state.status === 'running') {
      this.#live.set(runId, reloaded)
      await reloaded.send({ type: 'workflow.paused', reason, error, at: this.#clock.now() })
    }
  }

  async #requireRecord(runId: string): Promise<void> {
    checkId('runId', runId)
    if (this.#live.has(runId)) return
    if (!(await this.#store.getRun(runId))) {
      throw new NotFoundError(`No run "${runId}" in store "${this.#store.name}".`, { value: runId })
    }
  }
}

function definitionInfo(record: StoredDefinition): DefinitionInfo {
  return {
    id: record.id,
    version: record.version,
    ...(record.name !== undefined && { name: record.name }),
    ...(record.description !== undefined && { description: record.description }),
    schemaVersion: record.schemaVersion,
    ...(record.migratedFrom !== undefined && { migratedFrom: record.migratedFrom }),
    registeredAt: record.registeredAt,
    taskCount: Object.keys(record.definition.tasks).length,
  }
}

function recordInfo(r: RunRecord): RunInfo {
  return {
    runId: r.runId,
    definitionId: r.definitionId,
    version: r.version,
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

function verb(event: RunEvent): string {
  switch (event.type) {
    case 'workflow.paused':
      return 'pause'
    case 'workflow.resumed':
      return 'resume'
    case 'workflow.cancelled':
      return 'cancel'
    case 'task.retrying':
      return `retry task "${event.taskId}" of`
    case 'task.skipped':
      return `skip task "${event.taskId}" of`
    case 'signal.received':
      return `signal "${event.name}" to`
    default:
      return event.type
  }
}

function checkId(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.length > 200) {
    throw new ArgumentError(
      `${what} must be a non-empty string of at most 200 characters, got ${JSON.stringify(value)}.`,
      {
        value,
      },
    )
  }
}

function checkLimit(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError(`maxConcurrentRuns must be a whole number ≥ 1, got ${JSON.stringify(value)}.`, {
      value,
    })
  }
  return value
}

function checkFilter(filter: RunFilter): void {
  if (typeof filter !== 'object' || filter === null) {
    throw new ArgumentError('listRuns: the filter must be an object.', { value: filter })
  }
  for (const status of filter.status ?? []) {
    if (!RUN_STATUSES.includes(status)) {
      throw new ArgumentError(
        `listRuns: unknown status "${status}"; use one of ${RUN_STATUSES.join(', ')}.`,
        {
          value: status,
        },
      )
    }
  }
  if (filter.limit !== undefined && !(Number.isInteger(filter.limit) && filter.limit > 0)) {
    throw new ArgumentError('listRuns: limit must be a whole number > 0.', { value: filter.limit })
  }
}
