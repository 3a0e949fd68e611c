export type { OnDeviceModel, OnDevicePrompt } from './actions/builtin-context'
export { defineAction } from './actions/define-action'
export { languageModelAdapter, languageModelGlobal } from './actions/language-model-adapter'
export { alertFor } from './core/monitor/alerts'
export { aggregateHealth, computeHealth, healthLevel } from './core/monitor/health'
export { computeProgress } from './core/monitor/progress'
export { createRunReplica, type RunReplica, type RunSnapshot } from './core/run-replica'
export { definitionSchema } from './definition/json-schema'
export { DEFINITION_LIMITS } from './definition/parse'
export { createEngine } from './engine/engine'
export type {
  AccessRequest,
  CacheOptions,
  Engine,
  EngineOptions,
  HttpOptions,
  PurgeFilter,
  RetentionOptions,
  StorageInfo,
} from './engine/engine-types'
export type { ErrorCode, ErrorInfo, ValidationIssue } from './errors'
export {
  ArgumentError,
  DefinitionError,
  EngineClosedError,
  ExpressionError,
  ForbiddenError,
  InputError,
  InvalidStateError,
  NotFoundError,
  SpindleError,
  StaleExecutorError,
  StorageError,
  TaskError,
  TimeoutError,
  WorkerUnavailableError,
} from './errors'
export { offerOnDeviceModel } from './host/offered-models'
export { type SimulatedClock, simulatedClock, systemClock } from './runtime/timers'
export { requestStoragePersistence } from './storage-persistence'
export { type IndexedDbStoreOptions, indexedDbStore } from './store/indexeddb-store'
export { memoryStore } from './store/memory-store'
export type {
  ApprovalQuery,
  ApprovalRecord,
  ApprovalStore,
  CacheEntry,
  CacheFilter,
  CacheRoom,
  CacheStore,
  CommitBatch,
  DefinitionStore,
  EmittedRecord,
  EventLogRecord,
  EventLogStore,
  JournalEntry,
  JournalStore,
  OutputRecord,
  RestorePoint,
  RouteRecord,
  RouteStore,
  RunQuery,
  RunRecord,
  RunStore,
  ScheduleRevision,
  ScheduleState,
  ScheduleStore,
  SecretRecord,
  SecretStore,
  SnapshotRecord,
  Store,
  StoredDefinition,
  StoredSchedule,
  Wakeup,
} from './store/store'
export { templates } from './templates/templates'
export type {
  Action,
  ActionContext,
  ActionHandler,
  ActionLimit,
  Alert,
  ApprovalFilter,
  ApprovalItem,
  ApprovalStatus,
  CheckpointInfo,
  Clock,
  DefinitionInfo,
  EmittedEvent,
  EngineDefaults,
  EngineEvent,
  EventOf,
  ForkOptions,
  Health,
  HealthLevel,
  HistoryEntry,
  LoggedEvent,
  ModelInfo,
  ModelSpec,
  OnError,
  ParamSpec,
  ParamType,
  PauseReason,
  Progress,
  RetryPolicy,
  RouteInfo,
  RouteSpec,
  RunFilter,
  RunInfo,
  RunPage,
  RunState,
  RunStatus,
  RunView,
  ScheduleEvent,
  ScheduleInfo,
  ScheduleOccurrence,
  ScheduleOverlap,
  ScheduleSpec,
  StartOptions,
  TaskDefinition,
  TaskRef,
  TaskState,
  TaskStatus,
  TaskView,
  TaskWait,
  TaskWaiting,
  TemplateInfo,
  ValidationResult,
  WaitOptions,
  WorkflowDefinition,
  WorkflowEvent,
  WorkflowEventType,
} from './types'
export { isRunEvent } from './types'
