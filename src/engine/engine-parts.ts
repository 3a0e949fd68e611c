import { Subject } from 'rxjs'
import { CacheSweep } from '../host/cache-sweep'
import { ChildLinks } from '../host/child-links'
import { DeadlineWakeups } from '../host/deadline-wakeups'
import { DefinitionRegistry } from '../host/definition-registry'
import { DiskFull } from '../host/disk-full'
import { EngineScope } from '../host/engine-scope'
import { EngineStreams } from '../host/engine-streams'
import { FileRoot } from '../host/file-root'
import { LiveRuns } from '../host/live-runs'
import { ModelCatalog } from '../host/model-catalog'
import { ScheduleService } from '../host/schedule-service'
import { SecretVault } from '../host/secret-vault'
import { HostServices } from '../host/services'
import { ActionLimiter } from '../runtime/action-limiter'
import { JournalWriter } from '../runtime/journal'
import { MachineRunner } from '../runtime/machine-runner'
import { cacheClearLockName } from '../runtime/result-cache'
import { runInspector } from '../runtime/run-inspector'
import type { RunnableAction } from '../runtime/task-runner'
import { systemClock } from '../runtime/timers'
import { memoryStore } from '../store/memory-store'
import type { Store } from '../store/store'
import type { Alert, Clock, ScheduleEvent, WorkflowEvent } from '../types'
import { Access } from './access'
import { actionTable, checkActionAliases } from './action-table'
import { ApprovalInbox } from './approval-inbox'
import { DEFAULT_CACHE_MAX_BYTES } from './cache-options'
import { type ControlContext, callControl } from './call-control'
import { childStarter, MAX_CHILD_DEPTH } from './child-run-starter'
import { controlContext } from './control-context'
import { checkLimit } from './engine-arguments'
import { EngineExecutorHost } from './engine-executor-host'
import type { EngineOptions } from './engine-types'
import { EventWaits } from './event-waits'
import { httpAccess } from './http-access'
import { checkLimits } from './limit-options'
import { RunReads } from './run-reads'
import type { RunStartContext } from './run-start'
import { scheduledCancels, scheduledStarts } from './schedule-starts'

/** What an engine is made of: its store and clock, and the host parts that work on them. */
export interface EngineParts {
  /** The engine's own id: the executor its runs' records name. */
  readonly id: string
  readonly store: Store
  readonly clock: Clock
  readonly actions: ReadonlyMap<string, RunnableAction>
  readonly journal: JournalWriter
  readonly scope: EngineScope
  readonly events: Subject<WorkflowEvent>
  /** `schedule.fired` / `schedule.missed`: `events$` merges them with the runs' events. */
  readonly scheduleEvents: Subject<ScheduleEvent>
  readonly alerts: Subject<Alert>
  readonly access: Access
  readonly definitions: DefinitionRegistry
  readonly streams: EngineStreams
  readonly host: EngineExecutorHost
  readonly services: HostServices
  readonly wakeups: DeadlineWakeups
  readonly cacheSweep: CacheSweep
  readonly runs: LiveRuns
  readonly children: ChildLinks
  readonly starting: RunStartContext
  readonly reads: RunReads
  readonly controls: ControlContext
  readonly inbox: ApprovalInbox
  readonly secrets: SecretVault
  readonly models: ModelCatalog
  readonly eventWaits: EventWaits
  readonly schedules: ScheduleService
}

/**
 * Makes the parts of an engine from its (checked) options and wires them to one another. The
 * parts refer to each other both ways (the live runs adopt child runs, the child links load
 * runs), so some are reached through a closure, never before every part exists. Nothing runs
 * yet: the engine opens its services and starts recovering.
 */
export function engineParts(options: EngineOptions): EngineParts {
  const id = `engine-${Math.random().toString(36).slice(2, 10)}`
  const events = new Subject<WorkflowEvent>()
  const scheduleEvents = new Subject<ScheduleEvent>()
  const alerts = new Subject<Alert>()
  const scope = new EngineScope()
  const store = options.store ?? memoryStore()
  const clock = options.clock ?? systemClock
  const now = () => clock.now()
  const actions = actionTable(options.actions)
  const limits = checkLimits(options.limits, new Set(actions.keys()))
  const limiter = limits && new ActionLimiter(limits, clock)
  const disk = new DiskFull({ alerts, now })
  const journal = new JournalWriter(store, disk)
  const access = new Access(
    options.authorize,
    async (runId) => runs.get(runId)?.record.definitionId ?? (await store.getRun(runId))?.definitionId,
    scope.signal,
  )
  const actionNames = new Set(actions.keys())
  const aliases = checkActionAliases(options.actionAliases, actionNames)
  const definitions = new DefinitionRegistry({
    store,
    actions: () => actionNames,
    aliases,
    machines: new Set(Object.keys(options.machines ?? {})),
    defaults: options.defaults,
    now,
  })
  const streams = new EngineStreams({
    events,
    alerts,
    now,
    live: () => runs.values(),
    liveRun: (runId) => runs.get(runId),
    view: (runId) => reads.view(runId),
  })
  const secrets = new SecretVault(options.secrets, store)
  const models = new ModelCatalog(options.models ?? [], secrets, clock)
  const maxBytes = options.cache?.maxBytes ?? DEFAULT_CACHE_MAX_BYTES
  const cacheSweep = new CacheSweep({ store, clock, scope, maxBytes })
  const host = new EngineExecutorHost({
    journal,
    snapshotEvery: options.snapshotEvery ?? 200,
    machines: new MachineRunner(options.machines),
    clock,
    random: options.random ?? Math.random,
    actions,
    inspect: runInspector(options.inspect),
    events,
    streams,
    capabilities: {
      secrets,
      http: httpAccess(options.http, clock),
      files: new FileRoot(options.files?.root),
      models,
    },
    limiter,
    resultCache: {
      store,
      lockName: (key) => `spindle:${store.name}:cache:${key}`,
      kept: (expiresAt) => cacheSweep.kept(expiresAt),
      maxBytes,
      clearLockName: cacheClearLockName(store.name),
    },
  })
  const services = new HostServices(store.name, scope)
  // The rate timers stop with the engine; the runs' waits end as their executors stop.
  if (limiter) scope.signal.addEventListener('abort', () => limiter.close(), { once: true })
  const wakeups = new DeadlineWakeups({
    store,
    clock,
    scope,
    wake: (runId) => runs.wake(runId),
    leading: () => runs.passivateDormant(),
  })
  const runs: LiveRuns = new LiveRuns({
    store,
    host,
    executorId: id,
    maxConcurrentRuns: checkLimit(options.maxConcurrentRuns),
    now,
    definitionOf: (record) => definitions.forRun(record),
    streams,
    scope,
    passivation: wakeups,
    adopted: (executor) => {
      children.adopted(executor)
      eventWaits.adopted(executor)
    },
  })
  host.attach(runs)
  const eventWaits = new EventWaits({ store, scope, runs, now })
  host.attachEventWaits(eventWaits)
  const children: ChildLinks = new ChildLinks({
    store,
    scope,
    live: (runId) => runs.get(runId),
    load: (runId) => runs.load(runId, true),
  })
  const starting: RunStartContext = {
    store,
    definitions,
    scope,
    host,
    runs,
    executorId: id,
    access,
    now,
    disk,
  }
  host.attachChildren(
    children,
    childStarter({
      ...starting,
      control: (name, args, principal) =>
        callControl(principal === undefined ? controls : { ...controls, principal }, name, args),
      recordOf: async (runId) => runs.get(runId)?.record ?? (await store.getRun(runId)),
      maxDepth: options.maxChildDepth ?? MAX_CHILD_DEPTH,
    }),
  )
  const reads = new RunReads({ store, journal, runs, streams, defaults: options.defaults, now })
  const controls = controlContext({
    ...starting,
    journal,
    children,
    groupsOf: options.groupsOf,
    find: (runId) => reads.find(runId),
  })
  const inbox = new ApprovalInbox({
    store,
    journal,
    scope,
    events$: events.asObservable(),
    groupsOf: options.groupsOf,
  })
  const schedules = new ScheduleService({
    store,
    clock,
    start: scheduledStarts(starting),
    cancel: scheduledCancels(() => controls),
    publish: (event) => scheduleEvents.next(event),
    runEvents: events,
    db: store.name,
    closed: scope.signal,
  })
  return {
    id,
    store,
    clock,
    actions,
    journal,
    scope,
    events,
    scheduleEvents,
    alerts,
    access,
    definitions,
    streams,
    host,
    services,
    wakeups,
    cacheSweep,
    runs,
    children,
    starting,
    reads,
    controls,
    inbox,
    secrets,
    models,
    eventWaits,
    schedules,
  }
}
