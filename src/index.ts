export { defineAction } from './actions/define-action'
export { DEFINITION_LIMITS } from './definition/parse'
export { createEngine } from './engine/engine'
export { createRunReplica, type RunReplica, type RunSnapshot } from './core/run-replica'
export { type SimulatedClock, simulatedClock, systemClock } from './runtime/timers'
export type { ErrorCode, ErrorInfo, ValidationIssue } from './errors'
export {
  ArgumentError,
  DefinitionError,
  EngineClosedError,
  ExpressionError,
  InputError,
  InvalidStateError,
  NotFoundError,
  SpindleError,
  StaleExecutorError,
  StorageError,
  TaskError,
  TimeoutError,
} from './errors'
export { alertFor } from './core/monitor/alerts'
export { aggregateHealth, computeHealth, healthLevel } from './core/monitor/health'
export { computeProgress } from './core/monitor/progress'
export { type IndexedDbStoreOptions, indexedDbStore } from './store/indexeddb-store'
export { memoryStore } from './store/memory-store'
export type {
  CommitBatch,
  JournalEntry,
  OutputRecord,
  RunRecord,
  SnapshotRecord,
  Store,
  StoredDefinition,
} from './store/store'
export type {
  Action,
  ActionContext,
  ActionHandler,
  Alert,
  CheckpointInfo,
  Clock,
  DefinitionInfo,
  Engine,
  EngineOptions,
  EventOf,
  Health,
  HealthLevel,
  HistoryEntry,
  OnError,
  ParamSpec,
  ParamType,
  Progress,
  RetryPolicy,
  RunFilter,
  RunInfo,
  RunState,
  RunStatus,
  RunView,
  StartOptions,
  TaskDefinition,
  TaskRef,
  TaskState,
  TaskStatus,
  TaskView,
  TaskWait,
  ValidationResult,
  WorkflowDefinition,
  WorkflowEvent,
  WorkflowEventType,
} from './types'
