import { Subject } from 'rxjs'
import type { RunSnapshot } from '../core/run-replica'
import { TimeoutError } from '../errors'
import { ChildLinks } from '../host/child-links'
import { DeadlineWakeups } from '../host/deadline-wakeups'
import { DefinitionRegistry } from '../host/definition-registry'
import { EngineScope } from '../host/engine-scope'
import { EngineStreams } from '../host/engine-streams'
import { LiveRuns } from '../host/live-runs'
import { HostServices } from '../host/services'
import { JournalWriter } from '../runtime/journal'
import { MachineRunner } from '../runtime/machine-runner'
import type { RunExecutor } from '../runtime/run-executor'
import { runInspector } from '../runtime/run-inspector'
import type { RunnableAction } from '../runtime/task-runner'
import { systemClock } from '../runtime/timers'
import { memoryStore } from '../store/memory-store'
import type { Store } from '../store/store'
import type {
  Alert,
  ApprovalFilter,
  ApprovalItem,
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
import { Access } from './access'
import { actingEngine } from './acting-engine'
import { actionTable } from './action-table'
import { ApprovalInbox } from './approval-inbox'
import { type ControlContext, callControl } from './call-control'
import { childStarter, MAX_CHILD_DEPTH } from './child-run-starter'
import { controlContext } from './control-context'
import { CONTROL_CALLS, type ControlName } from './controls'
import { DefinitionCalls } from './definition-calls'
import { checkEngineOptions, checkId, checkLimit, checkWaitOptions } from './engine-arguments'
import { EngineExecutorHost } from './engine-executor-host'
import { EngineLifecycle } from './engine-lifecycle'
import type { Engine, EngineOptions } from './engine-types'
import { type RecoveryContext, recoverOnCreation, recoverRuns } from './recover-runs'
import { RunReads } from './run-reads'
import { type RunStartContext, startRun } from './run-start'

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
  readonly #actions: Map<string, RunnableAction>
  readonly #journal: JournalWriter
  readonly #definitions: DefinitionRegistry
  readonly #definitionCalls: DefinitionCalls
  readonly #events = new Subject<WorkflowEvent>()
  readonly #alerts = new Subject<Alert>()
  readonly #streams: EngineStreams
  readonly #host: EngineExecutorHost
  readonly #runs: LiveRuns
  readonly #reads: RunReads
  readonly #starting: RunStartContext
  readonly #id = `engine-${Math.random().toString(36).slice(2, 10)}`
  readonly #scope = new EngineScope()
  readonly #controls: ControlContext
  readonly #services: HostServices
  readonly #wakeups: DeadlineWakeups
  readonly #access: Access
  readonly #inbox: ApprovalInbox
  readonly #children: ChildLinks
  readonly #recovery: RecoveryContext
  readonly #lifecycle: EngineLifecycle

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
    this.#actions = actionTable(options.actions)
    this.#journal = new JournalWriter(this.#store)
    this.#access = new Access(
      options.authorize,
      async (runId) =>
        this.#runs.get(runId)?.record.definitionId ?? (await this.#store.getRun(runId))?.definitionId,
      this.#scope.signal,
    )
    const actionNames = new Set(this.#actions.keys())
    this.#definitions = new DefinitionRegistry({
      store: this.#store,
      actions: () => actionNames,
      machines: new Set(Object.keys(options.machines ?? {})),
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
    this.#host = new EngineExecutorHost({
      journal: this.#journal,
      snapshotEvery: options.snapshotEvery ?? 200,
      machines: new MachineRunner(options.machines),
      clock: this.#clock,
      random: options.random ?? Math.random,
      actions: this.#actions,
      inspect: runInspector(options.inspect),
      events: this.#events,
      streams: this.#streams,
    })
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
      adopted: (executor) => this.#children.adopted(executor),
    })
    this.#host.attach(this.#runs)
    this.#children = new ChildLinks({
      store: this.#store,
      scope: this.#scope,
      live: (runId) => this.#runs.get(runId),
      load: (runId) => this.#runs.load(runId, true),
    })
    this.#starting = {
      store: this.#store,
      definitions: this.#definitions,
      scope: this.#scope,
      host: this.#host,
      runs: this.#runs,
      executorId: this.#id,
      access: this.#access,
      now: () => this.#clock.now(),
    }
    this.#host.attachChildren(
      this.#children,
      childStarter({
        ...this.#starting,
        control: (name, args) => callControl(this.#controls, name, args),
        recordOf: async (runId) => this.#runs.get(runId)?.record ?? (await this.#store.getRun(runId)),
        maxDepth: options.maxChildDepth ?? MAX_CHILD_DEPTH,
      }),
    )
    this.#reads = new RunReads({
      store: this.#store,
      journal: this.#journal,
      runs: this.#runs,
      streams: this.#streams,
      defaults: options.defaults,
      now: () => this.#clock.now(),
    })
    this.#controls = controlContext({
      ...this.#starting,
      journal: this.#journal,
      children: this.#children,
      groupsOf: options.groupsOf,
      find: (runId) => this.#find(runId),
    })
    this.#inbox = new ApprovalInbox({
      store: this.#store,
      journal: this.#journal,
      scope: this.#scope,
      events$: this.events$,
      groupsOf: options.groupsOf,
    })
    this.#definitionCalls = new DefinitionCalls({
      definitions: this.#definitions,
      access: this.#access,
      scope: this.#scope,
    })
    this.#services.register(this.#wakeups)
    this.#services.open()
    this.#recovery = {
      store: this.#store,
      scope: this.#scope,
      access: this.#access,
      definitions: this.#definitions,
      runs: this.#runs,
      wakeups: this.#wakeups,
      children: this.#children,
    }
    this.#lifecycle = new EngineLifecycle({
      scope: this.#scope,
      services: this.#services,
      journal: this.#journal,
      runs: this.#runs,
      streams: this.#streams,
      wakeups: this.#wakeups,
      children: this.#children,
      events: this.#events,
      alerts: this.#alerts,
      recovering: options.recover !== false ? recoverOnCreation(this.#recovery) : Promise.resolve(),
    })
  }

  // ─── definitions ───────────────────────────────────────────────────────────────────────

  validate(definition: unknown): ValidationResult {
    return this.#definitionCalls.validate(definition)
  }

  register(definition: unknown): Promise<DefinitionInfo> {
    return this.#definitionCalls.register(definition, undefined)
  }

  getDefinition(id: string, version?: string): Promise<WorkflowDefinition | undefined> {
    return this.#definitionCalls.get(id, version)
  }

  listDefinitions(): Promise<DefinitionInfo[]> {
    return this.#definitionCalls.list()
  }

  deleteDefinition(id: string, version?: string): Promise<void> {
    return this.#definitionCalls.delete(id, version, undefined)
  }

  // ─── runs ──────────────────────────────────────────────────────────────────────────────

  async start(
    definitionId: string,
    input: Record<string, unknown> = {},
    options: StartOptions = {},
  ): Promise<RunInfo> {
    return this.#scope.run(() => startRun(this.#starting, definitionId, input, options, undefined))
  }

  getRun(runId: string): Promise<RunView | undefined> {
    return this.#reads.view(runId)
  }

  async runSnapshot(runId: string): Promise<RunSnapshot | undefined> {
    return this.#reads.runSnapshot(runId)
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    return this.#reads.listRuns(filter)
  }

  async checkpoints(runId: string): Promise<CheckpointInfo[]> {
    return this.#reads.checkpoints(runId)
  }

  async history(runId: string): Promise<HistoryEntry[]> {
    return this.#reads.history(runId)
  }

  wait(runId: string, options: WaitOptions = {}): Promise<RunView> {
    return this.#lifecycle.track(this.#wait(runId, options))
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

  async listApprovals(filter?: ApprovalFilter): Promise<ApprovalItem[]> {
    return this.#inbox.list(filter)
  }

  approvals$(filter?: ApprovalFilter) {
    return this.#inbox.approvals$(filter)
  }

  // ─── lifecycle ─────────────────────────────────────────────────────────────────────────

  recover(): Promise<RunInfo[]> {
    return recoverRuns(this.#recovery, undefined)
  }

  idle(): Promise<void> {
    return this.#lifecycle.idle()
  }

  close(): Promise<void> {
    return this.#lifecycle.close()
  }

  as(principal: string): Engine {
    checkId('as: principal', principal)
    const controls: ControlContext = { ...this.#controls, principal }
    const acting: Partial<Engine> = {
      register: (definition) => this.#definitionCalls.register(definition, principal),
      deleteDefinition: (id, version) => this.#definitionCalls.delete(id, version, principal),
      start: async (definitionId, input = {}, options = {}) =>
        this.#scope.run(() => startRun(this.#starting, definitionId, input, options, principal)),
      recover: () => recoverRuns(this.#recovery, principal),
    }
    for (const name of CONTROL_CALLS) {
      Object.assign(acting, { [name]: (...args: unknown[]) => callControl(controls, name, args) })
    }
    return actingEngine(this, acting)
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────

  #open(): void {
    this.#scope.check()
  }

  /** A run to read: live, recently finished, or restored from the store without executing it. */
  #find(runId: string): Promise<RunExecutor | undefined> {
    return this.#reads.find(runId)
  }

  #requireRecord(runId: string): Promise<void> {
    return this.#reads.requireRecord(runId)
  }
}
