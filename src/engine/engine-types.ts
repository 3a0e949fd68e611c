import type { Observable } from 'rxjs'
import type { AnyStateMachine } from 'xstate'
import type { Store } from '../store/store'
import type {
  Action,
  ActionHandler,
  ActionLimit,
  Alert,
  ApprovalFilter,
  ApprovalItem,
  CheckpointInfo,
  Clock,
  DefinitionInfo,
  EmittedEvent,
  EngineDefaults,
  EngineEvent,
  ForkOptions,
  Health,
  HistoryEntry,
  Migrations,
  ModelInfo,
  ModelSpec,
  Progress,
  RouteInfo,
  RouteSpec,
  RunFilter,
  RunInfo,
  RunPage,
  RunSnapshot,
  RunStatus,
  RunView,
  ScheduleInfo,
  ScheduleSpec,
  StartOptions,
  TemplateInfo,
  ValidationResult,
  WaitOptions,
  WorkflowDefinition,
} from '../types'

/** What `EngineOptions.authorize` is asked: who makes which call, on what. */
export interface AccessRequest {
  /** The calling principal (`engine.as(p)`, `connectEngine(worker, { principal })`); absent for an anonymous call. */
  principal?: string
  /** The `Engine` method: `start`, `cancel`, `fork`, `register`… */
  verb: string
  runId?: string
  definitionId?: string
  taskId?: string
  /** The secret's name, for `setSecret` and `deleteSecret`. */
  secret?: string
}

export interface EngineOptions {
  store?: Store
  actions?: Record<string, ActionHandler | Action<any, any>>
  /**
   * Names that definitions in the older forms (`steps` with `type`, task maps, `handler`) use for
   * actions, mapped to the name the action is registered under: `{ transform: 'etl-transform' }`
   * runs a migrated step `type: transform` with the app's `etl-transform`, not the built-in
   * `transform`. Applied when a definition is migrated; a 2.0 definition names its actions itself.
   */
  actionAliases?: Record<string, string>
  /**
   * Runs with work executing at once; more wait as `queued` and start in order. A paused run,
   * and a running one whose tasks all wait (a delay, an event, a retry back-off), do not count;
   * such a run goes on at once when it wakes, even above the limit. Default: unlimited.
   */
  maxConcurrentRuns?: number
  defaults?: EngineDefaults
  clock?: Clock
  /** Random numbers for back-off jitter (tests make it deterministic). Default: Math.random. */
  random?: () => number
  /** Journal entries between two snapshots (at least the run's task count, so writes per step stay constant). Default 200. */
  snapshotEvery?: number
  /**
   * How deep child runs (`subworkflow`) nest: a task that would start a child deeper fails with
   * `INVALID_STATE`. Default 8.
   */
  maxChildDepth?: number
  /** Call `recover()` on creation. Default true. */
  recover?: boolean
  /**
   * Receives the XState inspection events of every run actor (createActor's `inspect`), whose
   * id is the run id: pass `createBrowserInspector().inspect` from `@statelyai/inspect` to watch
   * runs in the Stately Inspector. A throwing callback is reported (`reportError`), never fatal.
   */
  inspect?: (inspectionEvent: unknown) => void
  /** The approval groups a principal is in (`approval` levels' `groups`); may be async. Default: none. */
  groupsOf?: (principal: string) => string[] | Promise<string[]>
  /**
   * Asked before every call that changes something (`register`, `deleteDefinition`, `start`,
   * `recover`, every control call); anything but `true` refuses it with `FORBIDDEN` and changes
   * nothing. A throwing (or rejecting) `authorize` fails the call with its error, also unchanged.
   * Reads (`getRun`, `listRuns`, `history`, the streams…) are not asked. Default: everything allowed.
   */
  authorize?: (request: AccessRequest) => boolean | Promise<boolean>
  /**
   * XState v5 machines by name, for the `state-machine` action (`params.machine`). In a worker,
   * they belong to the worker's engine: a machine is code and never crosses `postMessage`.
   */
  machines?: Record<string, AnyStateMachine>
  /**
   * Secrets by name, for actions (`ctx.secrets.get(name)`) and for the `secret('name')`
   * references in the params of built-ins that consume them (`http`, `ai`). Stored encrypted at
   * start, replacing stored values of the same names; tasks that read one wait for that write.
   */
  secrets?: Record<string, string>
  /**
   * The models the `ai` action may call: OpenAI-compatible endpoints (`baseUrl` up to and
   * including `/v1`, `apiKey` the NAME of a secret) and Chrome's built-in model. Checked here:
   * unique ids, a known provider, an absolute `baseUrl`, an `apiKey` that names a secret.
   */
  models?: ModelSpec[]
  /**
   * Where the `file` action reads and writes: `root`, a folder path under the origin private
   * file system (default `"spindle"`), such as `"apps/orders"`. It follows the rules of the
   * action's paths (relative, '/'-separated, no '..').
   */
  files?: { root?: string }
  /**
   * Limits per action, across all runs of the engine: at most `concurrency` attempts of the
   * action in flight and at most `perSecond` started in any second (on `clock`); an attempt
   * waits for its slot as queued, first come first served. Keyed by action name, or
   * `agent_task:<agent>` for the migrated `agent_task` tasks of one agent. Plain data, so a
   * worker's JSON configuration can carry it. See the README, "Limits per action".
   */
  limits?: Record<string, ActionLimit>
  /** What the `http` action may call, and the headers it sends with every request. */
  http?: HttpOptions
  /**
   * How long ended runs are kept: applied in the background by the leader, and by `purge()`
   * without a filter. Default: completed runs 14 days and at most 1,000 of them, failed runs 30
   * days, cancelled runs 7 days. `false`: no background deletion (`purge()` still applies the
   * defaults when called). See the README, "Retention and storage".
   */
  retention?: RetentionOptions | false
  /** The result cache: `maxBytes`, its size cap (default 50 MB). See the README, "Result cache". */
  cache?: CacheOptions
}

/** `EngineOptions.cache`. */
export interface CacheOptions {
  /**
   * The most the entries may hold, in bytes of their JSON (default 52,428,800: 50 MB). A new entry
   * that brings them over it evicts the least recently used; an entry larger than it is not kept.
   */
  maxBytes?: number
}

/** `EngineOptions.retention`: each age in ms after the run ended. */
export interface RetentionOptions {
  completed?: { maxAgeMs?: number; maxCount?: number }
  failed?: { maxAgeMs?: number }
  cancelled?: { maxAgeMs?: number }
}

/** What `Engine.storage()` reports. */
export interface StorageInfo {
  /** Bytes the origin uses (all its storage, not this database alone), as the browser estimates. */
  usage?: number
  /** Bytes the origin may use, as the browser estimates. */
  quota?: number
  /** Whether the browser keeps the origin's storage under storage pressure (`requestPersistence`). */
  persisted?: boolean
  /** Records per store of the engine's database, by store name; `bytes` is not measured yet. */
  stores: Record<string, { records: number; bytes?: number }>
}

/** What `purge(filter)` deletes: the ended runs that match every field given. */
export interface PurgeFilter {
  /** Ended statuses only (`completed`, `failed`, `cancelled`). Default: all three. */
  status?: RunStatus[]
  /** Only runs that ended before this time (ms since the epoch). */
  endedBefore?: number
  definitionId?: string
  /** Count what would be deleted, deleting nothing. */
  dryRun?: boolean
}

/** `EngineOptions.http`. */
export interface HttpOptions {
  /**
   * Origins `http` tasks may call: exact (`"https://api.example.com"`, `"http://127.0.0.1:8080"`)
   * or every subdomain of one (`"https://*.example.com"`, not example.com itself). Any other is
   * refused before a request with `ORIGIN_NOT_ALLOWED`, and so is a redirect that ends outside.
   * Default: the engine's own origin (`location.origin`; in a worker, the page's).
   */
  allow?: string[]
  /** Headers sent with every request; a task's own header of the same name wins. */
  headers?: Record<string, string>
}

export interface Engine {
  /** The store's name (the database): runs of one database share Web Locks and a BroadcastChannel. */
  readonly storeName: string
  /** Every action the engine can run, built-ins included. */
  readonly actionNames: readonly string[]

  register(definition: unknown): Promise<DefinitionInfo>
  validate(definition: unknown): ValidationResult
  getDefinition(id: string, version?: string): Promise<WorkflowDefinition | undefined>
  listDefinitions(): Promise<DefinitionInfo[]>
  /**
   * Records stored in an older storage format: `status()` counts them, `migrate(id)` upgrades a
   * definition's versions and runs, `migrateAll()` all (authorize verb `migrate`). A run an
   * engine executes is skipped (its lock is held) and left for a later call.
   */
  readonly migrations: Migrations
  /** The built-in templates (the same as the `templates` export). */
  listTemplates(): Promise<TemplateInfo[]>
  /**
   * Makes the definition of a template from its params and registers it, as `register` does
   * (authorize verb `register`). `as` names it: id (default: the template's id, or the id made
   * from `as.name`), version (default 1.0.0), name. Bad params: `InputError` listing every
   * problem; an unknown template: `NotFoundError`. Nothing is registered then.
   */
  instantiate(
    templateId: string,
    params?: Record<string, unknown>,
    as?: { id?: string; version?: string; name?: string },
  ): Promise<DefinitionInfo>
  deleteDefinition(id: string, version?: string): Promise<void>

  start(definitionId: string, input?: Record<string, unknown>, options?: StartOptions): Promise<RunInfo>
  pause(runId: string): Promise<RunInfo>
  resume(runId: string): Promise<RunInfo>
  cancel(runId: string, reason?: string): Promise<RunInfo>
  retryTask(runId: string, taskId: string): Promise<RunInfo>
  skipTask(runId: string, taskId: string): Promise<RunInfo>
  signal(runId: string, name: string, payload?: unknown): Promise<RunInfo>
  /**
   * Votes to approve the `approval` task `taskId` (under `forEach`, one item: `'<taskId>[<index>]'`)
   * in the name of `by`, who must be an approver of its current level (listed, or in one of its
   * groups by `groupsOf`). `form` must satisfy the approval's form schema. Refused, changing
   * nothing: no open approval there or a second vote (`INVALID_STATE`), a decider who may not
   * decide (`FORBIDDEN`), a bad form (`INPUT_INVALID`).
   *
   * @example
   * await engine.approve(runId, 'big', { by: 'alice', comment: 'fine', form: { limit: 500 } })
   */
  approve(
    runId: string,
    taskId: string,
    decision: { by: string; comment?: string; form?: unknown },
  ): Promise<RunInfo>
  /**
   * Rejects the approval `taskId` (or `'<taskId>[<index>]'`) in the name of `by`: one reject
   * ends it, and the task completes with `approved: false`. Refused as `approve` is.
   *
   * @example
   * await engine.reject(runId, 'big', { by: 'alice', comment: 'over budget' })
   */
  reject(runId: string, taskId: string, decision: { by: string; comment?: string }): Promise<RunInfo>

  getRun(runId: string): Promise<RunView | undefined>
  listRuns(filter?: RunFilter): Promise<RunPage>
  checkpoints(runId: string): Promise<CheckpointInfo[]>
  history(runId: string): Promise<HistoryEntry[]>
  wait(runId: string, options?: WaitOptions): Promise<RunView>

  /**
   * Every run's journal events as they are committed, and the schedules' `schedule.fired` /
   * `schedule.missed` (`ScheduleEvent`: no `seq`, never in a run's history).
   */
  readonly events$: Observable<EngineEvent>
  progress$(runId: string): Observable<Progress>
  health$(runId?: string): Observable<Health>
  readonly alerts$: Observable<Alert>

  /**
   * The approvals inbox across runs, read from its own store index (never loading a run), in
   * order of `dueAt` (those without one last), then `createdAt`. Every filter field narrows it;
   * `principal` keeps what that principal may decide now (see `ApprovalFilter`).
   *
   * @example
   * const mine = await engine.listApprovals({ principal: 'alice', limit: 50 })
   */
  listApprovals(filter?: ApprovalFilter): Promise<ApprovalItem[]>
  /**
   * `listApprovals(filter)` live: the current list first, then the list again whenever a commit
   * changed it (approval events, and the end of a run or task that closes an approval).
   *
   * @example
   * engine.approvals$({ status: 'open', principal: 'alice' }).subscribe((items) => render(items))
   */
  approvals$(filter?: ApprovalFilter): Observable<ApprovalItem[]>

  /**
   * The run's state now, with its definition: what a page needs to follow the run with
   * `createRunReplica` (progress and health are pure functions of it).
   */
  runSnapshot(runId: string): Promise<RunSnapshot | undefined>
  /** Saves a named checkpoint at the run's current position. */
  checkpoint(runId: string, reason?: string): Promise<CheckpointInfo>
  /**
   * Rolls a running, paused, failed or completed run back to a checkpoint (default: the latest;
   * `runId:0` is its start): fences the run, runs the `compensate` actions of the tasks completed
   * after the checkpoint, newest first, restores the run to it and leaves it `paused`; `resume`
   * re-runs what followed. Entries after it stay in `history` marked `rolledBack`.
   */
  rollback(runId: string, checkpointId?: string): Promise<RunInfo>
  /**
   * Starts a new run of the same definition version from a checkpoint of any run, completed
   * ones too (default: its latest; `runId:0` is its start): the outputs of the tasks completed
   * there, and the shared state, are carried over, what followed runs again, with `options.input`
   * (checked against the params) in place of the source's input if given. The source run and its
   * history are untouched; the new run's journal starts with `workflow.forked`.
   *
   * @example
   * const [, afterFetch] = await engine.checkpoints(runId)
   * const retry = await engine.fork(runId, afterFetch.checkpointId, { input: { model: 'large' } })
   */
  fork(runId: string, checkpointId?: string, options?: ForkOptions): Promise<RunInfo>

  /**
   * Resumes the store's interrupted `running`/`queued` runs and resolves with them; runs another
   * engine holds are taken over when it lets go. Passive runs (all their tasks wait) stay in the
   * store: the deadline heap wakes them at their time, at once when it passed.
   *
   * @example
   * const engine = createEngine({ store: indexedDbStore({ name: 'orders' }), recover: false })
   * const resumed = await engine.recover()
   */
  recover(): Promise<RunInfo[]>
  close(): Promise<void>
  /**
   * For tests, in place of sleeping until the engine settles: resolves when the recovery begun
   * on creation is done, no journal commit is queued or in flight, no round of effects is pending, and no action result that already
   * settled is still on its way in. Actions still working, clock timers and other engines are
   * not waited for.
   *
   * @example
   * const { runId } = await engine.start('chain')
   * await engine.idle()
   * expect((await engine.getRun(runId))!.status).toBe('completed')
   */
  idle(): Promise<void>
  /**
   * The engine's models (`EngineOptions.models`) and whether `ai` can call each now, with the
   * reason when not (its key's secret is not set, no page offers Chrome's built-in model, …).
   *
   * @example
   * const usable = (await engine.models()).filter((m) => m.available).map((m) => m.id)
   */
  models(): Promise<ModelInfo[]>

  /**
   * The same engine (same runs, same streams) making its calls as `principal`: `authorize` is
   * asked about them for `principal`, the control events they journal carry `by: principal`, and
   * the runs it starts belong to it (`RunInfo.principal`).
   *
   * @example
   * const ann = engine.as('ann')
   * await ann.cancel(runId, 'duplicate order') // journals workflow.cancelled { by: 'ann' }
   */
  as(principal: string): Engine

  /**
   * Stores secret `name`, encrypted (AES-GCM under the database's non-extractable key), for
   * `ctx.secrets.get(name)` and `secret('name')` in the params of built-ins that consume secrets.
   * Asked of `authorize` (verb `setSecret`). Refused, changing nothing: a name that is not an
   * identifier of 1–100 characters or a value that is not a string of at most 64 KB
   * (`INVALID_ARGUMENT`, never quoting the value), a closed engine (`ENGINE_CLOSED`).
   *
   * @example
   * await engine.setSecret('GITHUB_TOKEN', token)
   */
  setSecret(name: string, value: string): Promise<void>
  /** Deletes secret `name` (nothing happens when there is none). Asked of `authorize` (`deleteSecret`). */
  deleteSecret(name: string): Promise<void>
  /** The names of the stored secrets, sorted; never a value. */
  listSecrets(): Promise<string[]>

  /**
   * Routes emitted events of type `spec.event` (exact, or `prefix.*`) to runs of `spec.workflow`
   * (see `RouteSpec`). A spec with the id of a route replaces it. Refused, changing nothing: a bad
   * spec (`INVALID_ARGUMENT`, listing every problem), a workflow not registered (`NOT_FOUND`).
   *
   * @example
   * await engine.route({ event: 'order.*', workflow: 'ship', when: "event.data.total > 0",
   *   input: { orderId: '${ event.data.id }' }, dedupeKey: 'event.data.id' })
   */
  route(spec: RouteSpec): Promise<RouteInfo>
  /** Removes route `id`; `NOT_FOUND` when there is none. */
  unroute(id: string): Promise<void>
  /** The engine's routes. */
  listRoutes(): Promise<RouteInfo[]>
  /**
   * Starts a run for every route that matches the event and returns them. An event whose id
   * (or dedupe key) a route saw within its `dedupeWindowMs` starts nothing again on that route.
   * A failing `when`, `input` or `dedupeKey` expression throws `EXPRESSION_FAILED` and starts
   * nothing; a run that cannot start (bad input) throws its error after the other routes' runs started.
   *
   * @example
   * const runs = await engine.emit({ type: 'order.paid', data: { id: 'A-1', total: 12 }, id: 'evt-1' })
   */
  emit(event: EmittedEvent): Promise<RunInfo[]>
  /**
   * Starts runs of `spec.workflow` on a timetable: `cron` (in `timezone`, default UTC) or every
   * `everyMs` (from `startAt`, else now), between `startAt` and `endAt`. Each occurrence's run
   * has the id `sched:<id>:<scheduledAt>`, so it starts once per database whichever tab fires it.
   * `input` may hold `${ }` templates over `schedule` (`id`, `scheduledAt`, `lateMs`). `overlap`
   * (default `skip`) says what an occurrence does while the schedule's last run goes on, `catchUp`
   * (default `latest` within 7 days) what happens to the occurrences that came due while no tab
   * was open; `jitterMs` delays each occurrence by a fixed amount of its own below it. The runs
   * start as the calling principal. A spec with the id of a schedule replaces it. Refused,
   * changing nothing: a bad spec (`INVALID_ARGUMENT`, listing every problem), a workflow not
   * registered (`NOT_FOUND`), `authorize` (verb `schedule`, `FORBIDDEN`).
   *
   * @example
   * await engine.schedule({ id: 'nightly', workflow: 'report', cron: '0 2 * * *',
   *   timezone: 'Europe/Berlin', input: { day: '${ schedule.scheduledAt }' } })
   */
  schedule(spec: ScheduleSpec): Promise<ScheduleInfo>
  /**
   * Changes schedule `id` (`paused: true` pauses it: its occurrences are recorded missed, reason
   * `paused`, and not caught up). Giving `cron` drops `everyMs` and the other way round; the id
   * cannot change. Refused like `schedule` (verb `updateSchedule`); `NOT_FOUND` for an unknown id.
   *
   * @example
   * await engine.updateSchedule('nightly', { paused: true })
   */
  updateSchedule(id: string, patch: Partial<ScheduleSpec> & { paused?: boolean }): Promise<ScheduleInfo>
  /** Deletes schedule `id` (its runs stay); `NOT_FOUND` when there is none. Asked of `authorize` (verb `unschedule`). */
  unschedule(id: string): Promise<void>
  /**
   * Every schedule with its next fire times and its latest outcomes (`recent`, the last 50).
   *
   * @example
   * const [nightly] = await engine.listSchedules()
   * console.log(new Date(nightly.nextRuns[0]), nightly.recent.at(-1))
   */
  listSchedules(): Promise<ScheduleInfo[]>
  /**
   * Deletes the result cache entries of `filter.action` and/or `filter.definitionId` (every
   * entry without a filter) and resolves to how many it deleted; the tasks they served run
   * again next time. Asked of `authorize` (verb `clearCache`).
   *
   * @example
   * await engine.clearCache({ action: 'fetch-prices' })
   */
  clearCache(filter?: { action?: string; definitionId?: string }): Promise<number>
  /**
   * Deletes ended runs with all they keep (journal, snapshots, outputs, approvals) and resolves
   * to how many: without a filter, those `EngineOptions.retention` lets go; with one, those it
   * selects (`dryRun`: only counts them). Never deleted: runs not ended, runs with an open
   * approval, parents of runs not ended. Asked of `authorize` (verb `purge`). A bad filter is
   * `INVALID_ARGUMENT`, deleting nothing.
   *
   * @example
   * await engine.purge({ status: ['failed'], endedBefore: Date.now() - 86_400_000 })
   */
  purge(filter?: PurgeFilter): Promise<number>
  /**
   * The origin's storage usage and quota, whether it is persisted, and the records of each store
   * of the engine's database.
   *
   * @example
   * const { usage, quota } = await engine.storage()
   */
  storage(): Promise<StorageInfo>
  /**
   * Asks the browser to persist this origin's storage (`navigator.storage.persist()`, which only a
   * page may call) and resolves to whether it is. On an engine in a worker it is `INVALID_STATE`:
   * the engine `connectEngine` returns asks on the page.
   */
  requestPersistence(): Promise<boolean>
}
