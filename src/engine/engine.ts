import { merge } from 'rxjs'
import type { RunSnapshot } from '../core/run-replica'
import { TimeoutError } from '../errors'
import { requestStoragePersistence } from '../storage-persistence'
import { templateInfos } from '../templates/catalog'
import type {
  ApprovalFilter,
  ApprovalItem,
  CheckpointInfo,
  DefinitionInfo,
  EmittedEvent,
  HistoryEntry,
  Migrations,
  ModelInfo,
  RouteInfo,
  RouteSpec,
  RunFilter,
  RunInfo,
  RunPage,
  RunView,
  ScheduleInfo,
  ScheduleSpec,
  StartOptions,
  TemplateInfo,
  ValidationResult,
  WaitOptions,
  WorkflowDefinition,
} from '../types'
import { actingEngine } from './acting-engine'
import { type CacheClearFilter, clearCache } from './cache-calls'
import { type ControlContext, callControl } from './call-control'
import { CONTROL_CALLS, type ControlName } from './controls'
import { DefinitionCalls } from './definition-calls'
import { checkEngineOptions, checkId, checkWaitOptions } from './engine-arguments'
import { EngineLifecycle } from './engine-lifecycle'
import { type EngineParts, engineParts } from './engine-parts'
import type { Engine, EngineOptions, PurgeFilter, StorageInfo } from './engine-types'
import { EventLogSweep } from './event-log-sweep'
import { EventRoutes } from './event-routes'
import { MigrationCalls } from './migration-calls'
import { checkPurgeFilter } from './purge-arguments'
import { recoverOnCreation, recoverRuns } from './recover-runs'
import { RetentionSweep } from './retention-sweep'
import { purgeRuns, type Retention, retentionOf } from './run-purge'
import { startRun } from './run-start'
import { ScheduleCalls } from './schedule-calls'
import { SecretCalls } from './secret-calls'
import { storageInfo } from './storage-info'

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
          return callControl(this.#parts.controls, name, args)
        },
        writable: true,
        configurable: true,
      })
    }
  }

  readonly #parts: EngineParts
  readonly #definitionCalls: DefinitionCalls
  readonly #migrationCalls: MigrationCalls
  readonly migrations: Migrations
  readonly #lifecycle: EngineLifecycle
  readonly #secretCalls: SecretCalls
  readonly #routes: EventRoutes
  readonly #schedules: ScheduleCalls
  readonly #retention: Retention

  readonly events$
  readonly alerts$

  get storeName(): string {
    return this.#parts.store.name
  }

  get actionNames(): readonly string[] {
    return [...this.#parts.actions.keys()]
  }

  constructor(options: EngineOptions) {
    const parts = engineParts(options)
    this.#parts = parts
    this.#retention = retentionOf(options.retention === false ? undefined : options.retention)
    this.events$ = merge(parts.events, parts.scheduleEvents)
    this.alerts$ = parts.alerts.asObservable()
    this.#definitionCalls = new DefinitionCalls(parts)
    this.#migrationCalls = new MigrationCalls(parts)
    this.migrations = this.#migrationsAs(undefined)
    this.#secretCalls = new SecretCalls(parts)
    this.#routes = new EventRoutes(parts.starting, parts.eventWaits)
    this.#schedules = new ScheduleCalls({ ...parts, changed: () => parts.schedules.announce() })
    parts.services.register(parts.wakeups)
    parts.services.register(new EventLogSweep(parts))
    parts.services.register(parts.cacheSweep)
    parts.services.register(parts.schedules)
    if (options.retention !== false) {
      parts.services.register(new RetentionSweep(parts, this.#retention, parts.clock))
    }
    parts.services.open()
    this.#lifecycle = new EngineLifecycle({
      ...parts,
      recovering: Promise.all([
        // idle() waits for EngineOptions.secrets to be stored, as it waits for the recovery.
        parts.scope.run(() => parts.secrets.seeded()),
        options.recover !== false ? recoverOnCreation(parts) : undefined,
      ]).then(() => undefined),
    })
  }

  // ─── definitions ───────────────────────────────────────────────────────────────────────

  validate(definition: unknown): ValidationResult {
    return this.#definitionCalls.validate(definition)
  }

  register(definition: unknown): Promise<DefinitionInfo> {
    return this.#definitionCalls.register(definition, undefined)
  }

  #migrationsAs(principal: string | undefined): Migrations {
    const calls = this.#migrationCalls
    return {
      status: () => calls.status(),
      migrate: (id) => calls.migrate(id, principal),
      migrateAll: () => calls.migrateAll(principal),
    }
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    return templateInfos()
  }

  async instantiate(
    templateId: string,
    params: Record<string, unknown> = {},
    as?: { id?: string; version?: string; name?: string },
  ): Promise<DefinitionInfo> {
    return this.#definitionCalls.instantiate(templateId, params, as, undefined)
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
    return this.#parts.scope.run(() =>
      startRun(this.#parts.starting, definitionId, input, options, undefined),
    )
  }

  getRun(runId: string): Promise<RunView | undefined> {
    return this.#parts.reads.view(runId)
  }

  async runSnapshot(runId: string): Promise<RunSnapshot | undefined> {
    return this.#parts.reads.runSnapshot(runId)
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    return this.#parts.reads.listRuns(filter)
  }

  async checkpoints(runId: string): Promise<CheckpointInfo[]> {
    return this.#parts.reads.checkpoints(runId)
  }

  async history(runId: string): Promise<HistoryEntry[]> {
    return this.#parts.reads.history(runId)
  }

  wait(runId: string, options: WaitOptions = {}): Promise<RunView> {
    return this.#lifecycle.track(this.#wait(runId, options))
  }

  async #wait(runId: string, options: WaitOptions): Promise<RunView> {
    this.#parts.scope.check()
    checkWaitOptions(options)
    const { timeoutMs } = options
    await this.#parts.reads.requireRecord(runId)
    return this.#parts.streams.waitForEnd(
      runId,
      timeoutMs,
      this.#parts.clock,
      (ms) => new TimeoutError(`Run "${runId}" did not finish within ${ms} ms.`, { value: runId }),
    )
  }

  progress$(runId: string) {
    checkId('runId', runId)
    return this.#parts.streams.progress$(runId)
  }

  health$(runId?: string) {
    if (runId !== undefined) checkId('runId', runId)
    return this.#parts.streams.health$(runId)
  }

  async listApprovals(filter?: ApprovalFilter): Promise<ApprovalItem[]> {
    return this.#parts.inbox.list(filter)
  }

  approvals$(filter?: ApprovalFilter) {
    return this.#parts.inbox.approvals$(filter)
  }

  // ─── secrets ───────────────────────────────────────────────────────────────────────────

  setSecret(name: string, value: string): Promise<void> {
    return this.#secretCalls.set(name, value, undefined)
  }

  deleteSecret(name: string): Promise<void> {
    return this.#secretCalls.delete(name, undefined)
  }

  listSecrets(): Promise<string[]> {
    return this.#secretCalls.list()
  }

  // ─── event routes ─────────────────────────────────────────────────────────────────────

  route(spec: RouteSpec): Promise<RouteInfo> {
    return this.#routes.route(spec, undefined)
  }

  unroute(id: string): Promise<void> {
    return this.#routes.unroute(id, undefined)
  }

  listRoutes(): Promise<RouteInfo[]> {
    return this.#routes.listRoutes()
  }

  emit(event: EmittedEvent): Promise<RunInfo[]> {
    return this.#routes.emit(event, undefined)
  }

  // ─── schedules ─────────────────────────────────────────────────────────────────────────

  schedule(spec: ScheduleSpec): Promise<ScheduleInfo> {
    return this.#schedules.schedule(spec, undefined)
  }

  updateSchedule(id: string, patch: Partial<ScheduleSpec>): Promise<ScheduleInfo> {
    return this.#schedules.updateSchedule(id, patch, undefined)
  }

  unschedule(id: string): Promise<void> {
    return this.#schedules.unschedule(id, undefined)
  }

  listSchedules(): Promise<ScheduleInfo[]> {
    return this.#schedules.listSchedules()
  }

  // ─── result cache ─────────────────────────────────────────────────────────────────────────

  clearCache(filter?: CacheClearFilter): Promise<number> {
    return clearCache(this.#parts, filter, undefined)
  }

  // ─── models ───────────────────────────────────────────────────────────────────────────

  async models(): Promise<ModelInfo[]> {
    this.#parts.scope.check()
    return this.#parts.models.list()
  }

  // ─── retention ─────────────────────────────────────────────────────────────────────────

  purge(filter?: PurgeFilter): Promise<number> {
    return this.#purge(filter, undefined)
  }

  async #purge(filter: PurgeFilter | undefined, acting: string | undefined): Promise<number> {
    const { access, scope, clock } = this.#parts
    scope.check()
    const checked = filter === undefined ? undefined : checkPurgeFilter(filter)
    if (access.asks) {
      await access.check({
        principal: acting,
        verb: 'purge',
        ...(checked?.definitionId && { definitionId: checked.definitionId }),
      })
      scope.check()
    }
    return scope.run(() => purgeRuns(this.#parts, checked, this.#retention, clock.now()))
  }

  async storage(): Promise<StorageInfo> {
    this.#parts.scope.check()
    return storageInfo(this.#parts.store)
  }

  async requestPersistence(): Promise<boolean> {
    this.#parts.scope.check()
    return requestStoragePersistence()
  }

  // ─── lifecycle ─────────────────────────────────────────────────────────────────────────

  recover(): Promise<RunInfo[]> {
    return recoverRuns(this.#parts, undefined)
  }

  idle(): Promise<void> {
    return this.#lifecycle.idle()
  }

  close(): Promise<void> {
    return this.#lifecycle.close()
  }

  as(principal: string): Engine {
    checkId('as: principal', principal)
    const controls: ControlContext = { ...this.#parts.controls, principal }
    const acting: Partial<Engine> = {
      register: (definition) => this.#definitionCalls.register(definition, principal),
      migrations: this.#migrationsAs(principal),
      instantiate: (templateId, params = {}, as) =>
        this.#definitionCalls.instantiate(templateId, params, as, principal),
      deleteDefinition: (id, version) => this.#definitionCalls.delete(id, version, principal),
      start: async (definitionId, input = {}, options = {}) =>
        this.#parts.scope.run(() => startRun(this.#parts.starting, definitionId, input, options, principal)),
      recover: () => recoverRuns(this.#parts, principal),
      setSecret: (name, value) => this.#secretCalls.set(name, value, principal),
      deleteSecret: (name) => this.#secretCalls.delete(name, principal),
      route: (spec) => this.#routes.route(spec, principal),
      unroute: (id) => this.#routes.unroute(id, principal),
      emit: (event) => this.#routes.emit(event, principal),
      schedule: (spec) => this.#schedules.schedule(spec, principal),
      updateSchedule: (id, patch) => this.#schedules.updateSchedule(id, patch, principal),
      unschedule: (id) => this.#schedules.unschedule(id, principal),
      clearCache: (filter) => clearCache(this.#parts, filter, principal),
      purge: (filter) => this.#purge(filter, principal),
    }
    for (const name of CONTROL_CALLS) {
      Object.assign(acting, { [name]: (...args: unknown[]) => callControl(controls, name, args) })
    }
    return actingEngine(this, acting)
  }
}
