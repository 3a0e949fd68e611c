import type { StandardSchemaV1 } from '@standard-schema/spec'

export interface ValidationIssue {
  /** Where the problem is, as a JSON path: `tasks.b.dependsOn[0]`. */
  path: string
  code: string
  message: string
}

export interface ErrorInfo {
  code: string
  message: string
  taskId?: string
  /** Why, when the code alone does not say: `'quota'` for a `STORAGE_FAILED` on a full disk. */
  reason?: string
  /** What caused it: a child run's error, for a task that failed with `CHILD_FAILED`. */
  cause?: ErrorInfo
}

// ─── Definitions (schemaVersion "2.0") ───────────────────────────────────────────────────────

export type OnError = 'fail' | 'skip' | 'continue' | 'pause'

/** When a task with dependencies runs, by how they ended (see `src/core/trigger-rules.ts`). */
export type TriggerRule = 'all-success' | 'none-failed' | 'all-done' | 'one-success'

export interface RetryPolicy {
  /** Attempts in all, the first included. 1 means no retry. */
  maxAttempts?: number
  initialDelayMs?: number
  /** Multiplier applied to the delay after each failed attempt. */
  backoff?: number
  maxDelayMs?: number
  /** 0–1: the delay is spread by ± this fraction at random. */
  jitter?: number
}

export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'any'

export interface ParamSpec {
  type: ParamType
  required?: boolean
  default?: unknown
  description?: string
  enum?: unknown[]
}

export interface CompensateSpec {
  action: string
  params?: Record<string, unknown>
}

/**
 * A task's result cache: a success is kept `ttlMs` under a key made from the action, its version,
 * the resolved params and the value of the CEL expression `key`; a later task with the same key
 * completes with that output without running. `scope` narrows who shares it: every run
 * (`global`, default), runs of the same definition, or the one run.
 */
export interface CacheSpec {
  ttlMs: number
  key?: string
  scope?: 'global' | 'definition' | 'run'
}

export interface TaskDefinition {
  action: string
  name?: string
  description?: string
  params?: Record<string, unknown>
  dependsOn?: string[]
  /** CEL: the task is skipped when this is false. */
  when?: string
  /** CEL yielding an array: the action runs once per item (`item`, `index`); output is the array of results. */
  forEach?: string
  /** With `forEach`: items in flight at once. */
  concurrency?: number
  retry?: RetryPolicy
  timeoutMs?: number
  onError?: OnError
  compensate?: CompensateSpec
  cache?: CacheSpec
  expectedDurationMs?: number
  /** When the task runs, by how its dependencies ended. Default `all-success`. */
  trigger?: TriggerRule
}

export interface WorkflowDefinition {
  schemaVersion: '2.0'
  id: string
  version: string
  name?: string
  description?: string
  params?: Record<string, ParamSpec>
  defaults?: { timeoutMs?: number; retry?: RetryPolicy; onError?: OnError }
  /** Tasks in flight at once in one run. */
  concurrency?: number
  expectedDurationMs?: number
  /** The whole run: past it, in-flight tasks are aborted and the run fails with `TIMEOUT`. */
  timeoutMs?: number
  tasks: Record<string, TaskDefinition>
  /** CEL: the run's output. Without it, the output is the map of task outputs of the tasks nobody depends on. */
  output?: string
}

export interface ValidationResult {
  ok: boolean
  issues: ValidationIssue[]
}

/** `engine.migrations.status()`: stored records by storage format. */
export interface MigrationStatus {
  /** The format this engine writes. */
  formatVersion: number
  definitions: { current: number; outdated: number }
  runs: { current: number; outdated: number }
}

/** `engine.migrations`: report and upgrade records stored in an older format. */
export interface Migrations {
  status(): Promise<MigrationStatus>
  /** Upgrades every stored version of definition `id` and its runs; resolves to the records upgraded. */
  migrate(id: string): Promise<number>
  /** Upgrades every outdated record; resolves to the records upgraded. */
  migrateAll(): Promise<number>
}

/** A built-in template (`templates`, `listTemplates()`), instantiated with `instantiate(id, params, as?)`. */
export interface TemplateInfo {
  id: string
  name: string
  description: string
  /** The template's params: type, default, description, enum; `required` ones have no default. */
  params: Record<string, ParamSpec>
  tags: string[]
  /** The actions the app registers for it (`createEngine({ actions })`); built-ins are not listed. */
  actions: string[]
}

export interface DefinitionInfo {
  id: string
  version: string
  name?: string
  description?: string
  schemaVersion: string
  /** The schema version the definition was written in, when it was migrated on load. */
  migratedFrom?: string
  registeredAt: number
  taskCount: number
}

// ─── Compiled definitions (internal) ──────────────────────────────────────────────────────────

/** What expressions can see. `tasks` holds only the tasks the expression names. */
export interface ExpressionScope {
  input: Record<string, unknown>
  tasks: Record<string, { output: unknown; status: TaskStatus }>
  state: Record<string, unknown>
  run: { id: string; definitionId: string; version: string; startedAt?: number; attempt?: number }
  item?: unknown
  index?: number
}

/** A compiled CEL expression (or `${ }` template). Throws `ExpressionError` when evaluation fails. */
export interface CompiledExpression {
  readonly source: string
  /** Task ids the expression reads through `tasks.<id>`. */
  readonly taskRefs: readonly string[]
  /** True when it reads `item` or `index`. */
  readonly usesItem: boolean
  /** The secrets it names through `secret('name')`: allowed only where a built-in consumes them. */
  readonly secretRefs: readonly string[]
  evaluate(scope: ExpressionScope): unknown
}

export interface ResolvedRetry {
  maxAttempts: number
  initialDelayMs: number
  backoff: number
  maxDelayMs: number
  jitter: number
}

export interface CompiledTask {
  readonly id: string
  readonly action: string
  readonly name?: string
  readonly dependsOn: readonly string[]
  /** Tasks that depend on this one. */
  readonly children: readonly string[]
  readonly when?: CompiledExpression
  readonly forEach?: CompiledExpression
  /** Resolved params: absent when the task has none; `static` when they contain no expression. */
  readonly params?: CompiledParams
  readonly concurrency: number
  readonly retry: ResolvedRetry
  readonly timeoutMs?: number
  readonly onError: OnError
  readonly trigger: TriggerRule
  readonly compensate?: { action: string; params?: CompiledParams }
  readonly expectedDurationMs?: number
  /** The task's result cache: its `key` expression compiled, `scope` defaulted. */
  readonly cache?: {
    readonly ttlMs: number
    readonly key?: CompiledExpression
    readonly scope: 'global' | 'definition' | 'run'
  }
  /** Every task id the task's expressions read (when, forEach, params, cache.key). */
  readonly taskRefs: readonly string[]
}

export type CompiledParams =
  | { readonly static: true; readonly value: Record<string, unknown> }
  | {
      readonly static: false
      readonly taskRefs: readonly string[]
      resolve(scope: ExpressionScope): Record<string, unknown>
    }

export interface CompiledWorkflow {
  readonly definition: WorkflowDefinition
  /** `id@version` */
  readonly key: string
  readonly tasks: ReadonlyMap<string, CompiledTask>
  /** Task ids in a topological order. */
  readonly order: readonly string[]
  /** Tasks with no dependencies. */
  readonly roots: readonly string[]
  /** Tasks nobody depends on. */
  readonly leaves: readonly string[]
  readonly concurrency: number
  readonly expectedDurationMs?: number
  /** The definition's run timeout. */
  readonly timeoutMs?: number
  readonly output?: CompiledExpression
}

// ─── Run state (the run machine's context; internal but shared with monitor/) ──────────────

export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled'
export type TaskStatus =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'retrying'
  | 'completed'
  | 'failed'
  | 'skipped'
  | 'cancelled'

export interface TaskState {
  status: TaskStatus
  /** Attempts started so far. */
  attempts: number
  /** Attempts that ended in failure or timeout. */
  failedAttempts: number
  /** Dependencies not yet completed or skipped. */
  deps: number
  /** Dependencies that ended skipped, once one has (the trigger rule reads it). */
  depsSkipped?: number
  /** Admitted under the run's concurrency limit and handed to the engine to start. */
  dispatched: boolean
  error?: ErrorInfo
  /** When the task last became ready to run (deps done, back-off over). */
  readyAt?: number
  startedAt?: number
  endedAt?: number
  /** What a `waiting` task waits for, or the back-off a `retrying` one waits out. */
  wait?: TaskWait
  /** Time spent running, over all attempts. */
  runMs: number
  /** Time spent waiting for a slot or in back-off. */
  queueMs: number
  itemsDone?: number
  itemsTotal?: number
  skipReason?: 'condition' | 'manual' | 'on-error' | 'trigger'
  /** Failed with `onError: 'continue'`: settled, its dependents proceed. */
  continued?: boolean
  /** `attempts` when the retry budget was last renewed (by `retryTask` or `resume`). */
  attemptBase: number
}

/*
 * Durable waits: what a task waits for is data in the run state, so a wait survives reloads.
 * Each kind has its rules in `src/engine/waits/` (what it records on entry, which events resolve
 * it, what happens at its deadline). `until` is the wait's deadline (ms since epoch), if any.
 */

/** Waits until a time (`delay`): the task completes at `until`, with no output. */
export interface TimerWait {
  kind: 'timer'
  until: number
}

/** Waits for the signal `name` (`wait-for-event`); with `until`, times out (`TIMEOUT`) at it. */
export interface SignalWait {
  kind: 'signal'
  name: string
  until?: number
  /**
   * The wait's `match` (CEL over `event` and `run`): an event `emit`ted with type `name` for
   * which it is true ends the wait too. Absent: only `signal` ends it.
   */
  match?: string
}

/** A failed attempt's retry back-off: at `until` the task is ready to run again. */
export interface BackoffWait {
  kind: 'backoff'
  until: number
}

/** What a level of an approval does when its `timeoutMs` passes with no decision. */
export type ApprovalTimeout = 'escalate' | 'reject' | 'approve' | 'fail'

/** One level of an approval: who decides, how many approvals grant it, and what its timeout does. */
export interface ApprovalLevel {
  approvers: string[]
  /** Groups whose members decide too (`EngineOptions.groupsOf` says who is in which). */
  groups: string[]
  /** Approvals that grant it; `'all'`: every one of `approvers`. */
  quorum: number | 'all'
  timeoutMs?: number
  onTimeout: ApprovalTimeout
}

/** One person's decision on an approval. */
export interface ApprovalVote {
  by: string
  decision: 'approved' | 'rejected'
  at: number
  /** The level it was cast at. */
  level: number
  comment?: string
  form?: unknown
}

/**
 * Waits for people to decide (`approval`): `level` decides now, out of `levels`; `until` is its
 * deadline. Votes so far are kept; any reject ends it, `quorum` approvals grant it.
 */
export interface ApprovalWait {
  kind: 'approval'
  title: string
  description?: string
  data?: unknown
  /** A JSON Schema (subset) a decision's `form` must satisfy. */
  form?: Record<string, unknown>
  levels: ApprovalLevel[]
  /** Whether the run's principal may decide. */
  selfApproval: boolean
  level: number
  votes: ApprovalVote[]
  until?: number
}

/** The `type`s an approval's `form` schema may name (the JSON Schema subset it is written in). */
export const APPROVAL_FORM_TYPES: readonly string[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
  'null',
]

/** The keywords of that subset: any other is refused, rather than ignored when a decision comes. */
export const APPROVAL_FORM_KEYWORDS: readonly string[] = [
  'type',
  'properties',
  'required',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'items',
  'title',
  'description',
]

/** What an `approval` task outputs once decided. */
export interface ApprovalOutput {
  approved: boolean
  decision: 'approved' | 'rejected'
  /** Who decided it; absent when its timeout did. */
  by?: string
  at: number
  comment?: string
  form?: unknown
  votes: ApprovalVote[]
  /** The level that decided. */
  level: number
  timedOut: boolean
}

/** A wait of one `forEach` item. */
export type ActionWait = TimerWait | SignalWait | ApprovalWait | MachineWait | ChildRunWait

/**
 * A task running an XState machine (`state-machine`): the machine's persisted snapshot, and the
 * event types its current state has transitions for (`*` and `prefix.*` descriptors included).
 * A signal of such a type goes to the machine; the runtime computes the transition and journals
 * it as `machine.transitioned`. No deadline of its own.
 */
export interface MachineWait {
  kind: 'machine'
  /** Its name in `EngineOptions.machines`. */
  machine: string
  /** `actor.getPersistedSnapshot()` after its last event: plain data. */
  snapshot: unknown
  accepts: string[]
  until?: undefined
}

/**
 * Waits for the child run `runId` (`subworkflow`) to end: its output completes the task, its
 * failure fails the attempt with `CHILD_FAILED`. The parent reads the child's end from storage.
 */
export interface ChildRunWait {
  kind: 'child'
  runId: string
  until?: never
}

/**
 * A `forEach` task whose items wait: the waits of the items not done yet, by index, out of
 * `count` items. `until` is the earliest deadline among them. Once none is left, the task
 * completes with every item's output, in item order.
 */
export interface ItemsWait {
  kind: 'items'
  count: number
  items: Record<number, ActionWait>
  until?: number
}

export type TaskWait =
  | TimerWait
  | SignalWait
  | BackoffWait
  | ItemsWait
  | ApprovalWait
  | MachineWait
  | ChildRunWait

/** A run started by a task of this one (`subworkflow`), as the parent's state keeps it. */
export interface ChildLink {
  runId: string
  taskId: string
  index?: number
  /** `onParentCancel: 'abandon'`: cancelling the parent leaves this child running. */
  abandon?: true
}

/** A signal kept for a task that does not wait for it yet: its `signal.received` entry's seq and time. */
export interface BufferedSignal {
  seq: number
  at: number
}

export interface RunState {
  runId: string
  definitionId: string
  version: string
  status: RunStatus
  createdAt: number
  updatedAt: number
  startedAt?: number
  endedAt?: number
  /** The last journal sequence number used. */
  seq: number
  concurrency: number
  /** Tasks dispatched or running (they hold a concurrency slot). */
  inFlight: number
  /** Tasks ready but waiting for a slot, oldest first, from `readyHead` on. */
  ready: string[]
  readyHead: number
  /**
   * Tasks whose start waits for a slot of an engine's limit (`EngineOptions.limits`): admitted,
   * they are dispatched to the engine, which records `task.started` once the slot is granted.
   * Set by the engine that runs the run; absent when it limits none of its tasks.
   */
  gated?: Record<string, true>
  /** Tasks not yet settled (completed, skipped, or failed with `onError: 'continue'`). */
  remaining: number
  tasks: Record<string, TaskState>
  /**
   * Signals received that no task has consumed yet, oldest first per name: where their payload
   * is in the journal, and when they came. At most 1,000 per run, each for at most 24 h.
   */
  signals: Record<string, BufferedSignal[]>
  /** How many signals `signals` holds, over all names. */
  bufferedSignals: number
  /**
   * The emitted events a wait of this run took (`<type>\u0000<id>` → the event's time): one
   * event never ends two waits of one run. Kept while the event is in the log (24 h).
   */
  consumedEvents?: Record<string, number>
  pauseReason?: string
  /** The error that paused the run (a task's failure, a failed write), when one did. */
  pauseError?: ErrorInfo
  error?: ErrorInfo
  expectedDurationMs?: number
  /** The run's deadline (ms since epoch), from `timeoutMs`: past it the run fails with `TIMEOUT`. */
  deadline?: number
  /** The `timeoutMs` the deadline came from. */
  timeoutMs?: number
  /** Time the run spent paused (excluded from the time part of health). */
  pausedMs: number
  pausedAt?: number
  /** The child runs its tasks started (`child.started`), oldest first. */
  children?: ChildLink[]
}

// ─── Events ──────────────────────────────────────────────────────────────────────────────────

export interface EventBase {
  runId: string
  /** Increases by one with every event of the run. */
  seq: number
  at: number
  /** The principal whose call journaled it (control events, when the engine acts as one). */
  by?: string
}

/**
 * The params an attempt got, on the record that ends it (or that says it waits), when the task's
 * params hold expressions: resolved, with secret references as `[secret:name]` and the secret
 * values the engine knows blanked. Absent for params as written (they are in the definition),
 * `forEach` tasks (one set per item), params that failed to resolve (the attempt failed with the
 * expression's error) and attempts ended by the run (a cancel, a skip).
 */
export interface AttemptParams {
  params?: Record<string, unknown>
  /** Why resolved params are not recorded: larger than 16 KB as JSON, or not JSON. */
  paramsOmitted?: 'too-large' | 'not-json'
}

export type WorkflowEvent = EventBase &
  (
    | {
        type: 'workflow.queued'
        definitionId: string
        version: string
        /** The run's deadline, when it has a `timeoutMs`; counted from `start()`. */
        deadline?: number
        timeoutMs?: number
      }
    | {
        type: 'workflow.started'
        definitionId: string
        version: string
        /** As on `workflow.queued`; absent when a queued run starts. */
        deadline?: number
        timeoutMs?: number
      }
    | { type: 'workflow.timed-out'; deadline: number; timeoutMs: number }
    | { type: 'workflow.paused'; reason: string; error?: ErrorInfo }
    | { type: 'workflow.resumed' }
    | { type: 'workflow.completed'; output?: unknown }
    | { type: 'workflow.failed'; error: ErrorInfo }
    | { type: 'workflow.cancelled'; reason?: string }
    | {
        type: 'workflow.rolled-back'
        checkpointId: string
        /** The checkpoint's position: entries after it are marked rolled back. */
        toSeq: number
        /** The last position used before the rollback; numbering goes on after it. */
        lastSeq: number
        /** Tasks whose `compensate` action ran, newest first. */
        compensated: string[]
      }
    | { type: 'workflow.recovered'; executor: string }
    | {
        /** The first entry of a run forked from a checkpoint of another (`Engine.fork`). */
        type: 'workflow.forked'
        fromRunId: string
        checkpointId: string
        /** The tasks completed at the checkpoint, in the order they completed, with their outputs. */
        completed: { taskId: string; attempt: number; output?: unknown }[]
        /** The source run's shared state (`ctx.state`) at the checkpoint. */
        state: Record<string, unknown>
      }
    | { type: 'task.started'; taskId: string; attempt: number }
    | { type: 'task.progress'; taskId: string; fraction: number; note?: string }
    | { type: 'task.log'; taskId: string; message: string }
    | ({
        type: 'task.completed'
        taskId: string
        attempt: number
        output?: unknown
        /** Keys of the run's shared state this task set (null: deleted). */
        state?: Record<string, unknown>
        /** The seq of the buffered `signal.received` whose payload is the output. */
        signal?: number
        /** A `forEach` whose items waited: the output is the outputs of its `items` items, in order. */
        items?: number
        /**
         * The task has a `cache` but ran without it: its action has no version
         * (`unversioned-action`), its params, `cache.key` value, `forEach` item or output are not
         * plain JSON (`not-plain-json`), or its output is larger than the cache's `maxBytes`
         * (`too-large`: not kept). Under `forEach`, the first such reason of its items.
         */
        cache?: { skipped: 'unversioned-action' | 'not-plain-json' | 'too-large' }
        /** The output is the emitted event with this key (`<type>\u0000<id>`), which ended the wait. */
        emitted?: string
      } & AttemptParams)
    | ({
        /**
         * The task completed with an output from the result cache (its `cache`): its action did not
         * run. Taken as a `task.completed` everywhere; a replay never runs the action either.
         */
        type: 'task.cached'
        taskId: string
        attempt: number
        output?: unknown
        /** The run and task whose output the cache kept (the run may have been purged since). */
        fromRunId: string
        fromTaskId: string
      } & AttemptParams)
    | {
        type: 'task.item-completed'
        taskId: string
        index: number
        /** How many items the task has (absent in records journaled before it was recorded). */
        count?: number
        output?: unknown
        /** The item's output came from the result cache: the run and task that computed it. */
        cached?: { fromRunId: string; fromTaskId: string }
        /** The seq of the buffered `signal.received` whose payload is the output. */
        signal?: number
      }
    | ({
        type: 'task.failed'
        taskId: string
        attempt: number
        error: ErrorInfo
        /** A random number in [0, 1) drawn by the engine for the back-off jitter. */
        rand?: number
        /** True when no retry follows. */
        final?: boolean
        /** The failure cannot be cured by retrying (bad input, expression error, `retryable: false`). */
        noRetry?: boolean
        /** The action asked the next attempt to wait at least this long (an HTTP `Retry-After`). */
        retryAfterMs?: number
        /** Final, under `onError: 'continue'`: the task's output is `{ error }` and its dependents run. */
        continued?: boolean
      } & AttemptParams)
    | { type: 'task.retrying'; taskId: string; attempt: number; delayMs: number; manual?: boolean }
    | { type: 'task.skipped'; taskId: string; reason: 'condition' | 'manual' | 'on-error' | 'trigger' }
    | ({
        type: 'task.waiting'
        taskId: string
        until?: number
        signal?: string
        /**
         * A wait of a kind other than a timer or a signal, as data (its kind's rules are in
         * `src/core/waits/`); timers and signals keep the older `until` and `signal` fields.
         */
        wait?: ActionWait
        /** A `forEach` whose items wait: each waiting item's index, deadline and signal (or wait). */
        items?: { index: number; until?: number; signal?: string; wait?: ActionWait }[]
        /** With `items`: how many items the task has. */
        count?: number
      } & AttemptParams)
    | ({
        type: 'task.timed-out'
        taskId: string
        attempt: number
        timeoutMs: number
        rand?: number
      } & AttemptParams)
    | {
        type: 'timer.fired'
        taskId: string
        /**
         * A random number in [0, 1) drawn by the engine as the timer fires: the jitter of the
         * retry that a timed-out `wait-for-event` may back off for (journaled, so a replay
         * derives the same deadline; 0.5, no spread, when absent).
         */
        rand?: number
      }
    | {
        /**
         * The machine of a `state-machine` task took the signal journaled just before (`event`
         * is its name): `active` with its new snapshot, `done` with its final output, or
         * `error` (the attempt fails with `error`; `rand` is the draw for a retry's jitter).
         */
        type: 'machine.transitioned'
        taskId: string
        event: string
        status: 'active' | 'done' | 'error'
        snapshot?: unknown
        accepts?: string[]
        /** The machine's state value after the event (for the record; `snapshot` holds it too). */
        value?: unknown
        output?: unknown
        error?: ErrorInfo
        rand?: number
        /** The seq of the buffered `signal.received` it took, when it took one from the buffer. */
        signal?: number
      }
    | {
        type: 'signal.received'
        name: string
        payload?: unknown
        /** No task waited for it: it is kept for the next task that waits for `name`. */
        buffered?: true
      }
    | {
        type: 'signal.dropped'
        name: string
        /** The seq of the dropped `signal.received`. */
        signalSeq: number
        receivedAt: number
        /** `limit`: 1,000 signals were buffered already; `expired`: kept 24 h, nobody took it. */
        reason: 'limit' | 'expired'
      }
    | { type: 'checkpoint.saved'; checkpointId: string; reason: string }
    | {
        type: 'approval.required'
        taskId: string
        /** Under `forEach`: the item's index. */
        index?: number
        level: number
        title: string
        description?: string
        data?: unknown
        form?: object
        approvers: string[]
        groups: string[]
        quorum: number
        /** The level's deadline. */
        dueAt?: number
      }
    | {
        type: 'approval.voted'
        taskId: string
        index?: number
        level: number
        by: string
        decision: 'approved' | 'rejected'
        comment?: string
        form?: unknown
      }
    | {
        type: 'approval.escalated'
        taskId: string
        index?: number
        /** The level it escalated to. */
        level: number
        approvers: string[]
        groups: string[]
        quorum: number
        dueAt?: number
      }
    | {
        type: 'approval.granted'
        taskId: string
        index?: number
        level: number
        by?: string
        timedOut?: true
      }
    | {
        type: 'approval.rejected'
        taskId: string
        index?: number
        level: number
        by?: string
        timedOut?: true
      }
    | { type: 'approval.expired'; taskId: string; index?: number; level: number }
    | {
        type: 'child.started'
        taskId: string
        index?: number
        childRunId: string
        workflow: string
        /** The version the child runs, resolved once, as it started. */
        version: string
        onParentCancel?: 'cancel' | 'abandon'
      }
    | { type: 'child.completed'; taskId: string; index?: number; childRunId: string; output?: unknown }
    | {
        type: 'child.failed'
        taskId: string
        index?: number
        childRunId: string
        /** The child's error (a cancelled child: `CANCELLED`). */
        error: ErrorInfo
        /** A random number in [0, 1) drawn by the engine for the back-off jitter. */
        rand?: number
      }
  )

export type WorkflowEventType = WorkflowEvent['type']

/** The journal entries an approval is made of: its audit trail. */
export type ApprovalEventType = Extract<WorkflowEventType, `approval.${string}`>

/**
 * The entries that end an open approval without a decision of its own: its run was cancelled
 * or failed, its task was skipped or failed; a rollback refolds it. The inbox's store closes
 * approvals on them, and its live feed reads again after them.
 */
export const APPROVAL_CLOSING_EVENTS: ReadonlySet<WorkflowEventType> = new Set<WorkflowEventType>([
  'workflow.cancelled',
  'workflow.failed',
  'workflow.rolled-back',
  'task.failed',
  'task.skipped',
])

/** An event as the journal keeps it (`history()`): entries undone by a rollback carry `rolledBack: true`. */
export type HistoryEntry = WorkflowEvent & { rolledBack?: true }
export type EventOf<T extends WorkflowEventType> = Extract<WorkflowEvent, { type: T }>

// ─── Monitoring ──────────────────────────────────────────────────────────────────────────────

export interface TaskRef {
  id: string
  name?: string
  startedAt?: number
}

export interface Progress {
  runId: string
  status: RunStatus
  /** Tasks in a terminal status that counts as done: completed, skipped, or failed with `onError: continue`. */
  completed: number
  total: number
  /** 0–100, whole number. */
  percent: number
  running: TaskRef[]
  tasks: { id: string; status: TaskStatus; attempts: number; durationMs: number }[]
}

export type HealthLevel = 'healthy' | 'warning' | 'critical'

export interface Health {
  runId?: string
  score: number
  level: HealthLevel
  parts: { time: number; success: number; errors: number; efficiency: number }
}

export interface Alert {
  /**
   * What the alert is about: a run's (or all runs') health, absent for those; `'storage'` when
   * the storage quota is used up (`level: 'critical'`) and when writes succeed again (`'healthy'`).
   */
  kind?: 'storage'
  /** For `kind: 'storage'`: why, `'quota'`. */
  reason?: 'quota'
  runId?: string
  at: number
  level: HealthLevel
  previous: HealthLevel
  score: number
  message: string
}

// ─── Runs ────────────────────────────────────────────────────────────────────────────────────

export interface RunInfo {
  runId: string
  definitionId: string
  version: string
  status: RunStatus
  createdAt: number
  updatedAt: number
  /** When the run left `queued`. */
  startedAt?: number
  /** When the run reached `completed`, `failed` or `cancelled` (absent while it can go on). */
  endedAt?: number
  /** The run that started this one as a child, if any. */
  parentRunId?: string
  /** Who started the run (`StartOptions.principal`). */
  principal?: string
}

/** One page of `listRuns`. */
export interface RunPage {
  runs: RunInfo[]
  /** Present when more runs match: pass it as `cursor` to get the next page. */
  next?: string
}

export interface TaskView {
  status: TaskStatus
  attempts: number
  output?: unknown
  error?: ErrorInfo
  startedAt?: number
  endedAt?: number
  /** What a `waiting` task waits for (or a `retrying` one backs off until). */
  waiting?: TaskWaiting
  /** The task completed from the result cache: the run and task that computed its output. */
  cached?: { fromRunId: string; taskId: string }
}

/**
 * A task's wait as its view shows it: `kind` (`timer`, `signal`, `backoff`, `approval`,
 * `machine`, `items`, …), `until` (its deadline, if any) and what the kind adds: `signal` (the
 * name); for an approval `title`, `level`, `approvers`, `groups`, `quorum` and `votes` of the
 * current level; for a machine `machine`, `state` (its state value) and `accepts`; for a child
 * run `runId`; for a
 * `forEach` whose items wait, `count` and `waiting` (items still waiting).
 */
export interface TaskWaiting {
  kind: string
  until?: number
  [field: string]: unknown
}

/**
 * Why a run is paused: `code` `PAUSED` for `pause()` and a rollback; a task's error code (with
 * `taskId`) for a task with `onError: 'pause'`; `STORAGE_FAILED` (with `reason: 'quota'` when the
 * disk is full) for a journal write that failed. `message` says what to do.
 */
export interface PauseReason {
  code: string
  message: string
  reason?: string
  taskId?: string
}

export interface RunView extends RunInfo {
  input: Record<string, unknown>
  output?: unknown
  error?: ErrorInfo
  /** Why the run is paused, while it is. */
  pauseReason?: PauseReason
  state: Record<string, unknown>
  tasks: Record<string, TaskView>
  progress: Progress
  health: Health
  /** The runs this run's tasks started (`subworkflow`), oldest first; absent when none. */
  children?: string[]
}

export interface CheckpointInfo {
  checkpointId: string
  runId: string
  seq: number
  at: number
  reason: string
  completedTasks: string[]
}

// ─── Actions ─────────────────────────────────────────────────────────────────────────────────

/**
 * What an action is called with. `signal`, `state`, `progress` and `log` are accessors made on
 * first read: read or destructure them; a spread copy (`{ ...ctx }`) holds the other fields only.
 */
export interface ActionContext {
  /** Aborted on timeout, cancel, skip, or when the run fails. */
  signal: AbortSignal
  /** 1 for the first attempt. */
  attempt: number
  /** `runId:taskId` or `runId:taskId:index` under `forEach`: the same on every attempt. */
  idempotencyKey: string
  runId: string
  taskId: string
  /** Under `forEach`: the item's index. */
  index?: number
  /** The run's shared state. Values must be structured-clone-safe. */
  state: { get(key: string): unknown; set(key: string, value: unknown): void }
  /** Reports progress of this task: `fraction` in [0, 1]. Emits `task.progress`. */
  progress(fraction: number, note?: string): void
  log(...parts: unknown[]): void
  /**
   * The engine's secrets by name (`setSecret`, `EngineOptions.secrets`): `undefined` for a name
   * that has none. The value is the action's to use, never to return, log or store.
   */
  readonly secrets: SecretReader
}

/** Reads a secret's value by its name. */
export interface SecretReader {
  get(name: string): Promise<string | undefined>
}

export type ActionHandler = (params: any, ctx: ActionContext) => unknown | Promise<unknown>

export interface Action<I = unknown, O = unknown> {
  readonly kind: 'spindle.action'
  readonly input?: StandardSchemaV1<unknown, I>
  readonly output?: StandardSchemaV1<unknown, O>
  /** Part of a task's result cache key: a new version never reads what an older one cached. */
  readonly version?: string
  run(input: I, ctx: ActionContext): Promise<O> | O
}

// ─── Engine ──────────────────────────────────────────────────────────────────────────────────

/** Time source; tests inject a simulated one. */
export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * A limit of `EngineOptions.limits`, across all runs of the engine: at most `concurrency`
 * attempts of the action in flight, at most `perSecond` started in any second.
 */
export interface ActionLimit {
  concurrency?: number
  perSecond?: number
}

/** What every task of an engine gets unless its definition says otherwise. */
export interface EngineDefaults {
  timeoutMs?: number
  retry?: RetryPolicy
  onError?: OnError
}

/** A run's state at one position of its journal, as `engine.runSnapshot()` gives it. */
export interface RunSnapshot {
  definition: WorkflowDefinition
  /** The engine's defaults: they shape retries and `onError` of the compiled definition. */
  defaults?: EngineDefaults
  state: RunState
  seq: number
}

/** `Engine.fork`'s options. */
export interface ForkOptions {
  /** The new run's input (checked against the definition's params). Default: the source run's. */
  input?: Record<string, unknown>
  /** The new run's id; a run with this id must not exist. Default: a random UUID. */
  runId?: string
}

export interface StartOptions {
  version?: string
  runId?: string
  /** Who starts the run; kept with it (`RunInfo.principal`). */
  principal?: string
  /** The run's timeout, counted from now; overrides the definition's `timeoutMs`. */
  timeoutMs?: number
  /** The run and task that start this run as a child (`subworkflow` sets it). */
  parent?: { runId: string; taskId: string }
}

/**
 * Which runs `listRuns` lists, newest first (runs created at the same time: highest run id first).
 * Every field narrows the list; creation times are exclusive bounds in ms since the epoch.
 */
export interface RunFilter {
  status?: RunStatus | RunStatus[]
  definitionId?: string
  parentRunId?: string
  createdAfter?: number
  createdBefore?: number
  /** Runs per page, at least 1. Default 100. */
  limit?: number
  /** `next` of the previous page, unchanged. */
  cursor?: string
}

// ─── Approvals (the inbox) ───────────────────────────────────────────────────────────────────

export type ApprovalStatus = 'open' | 'approved' | 'rejected' | 'expired'

/** One approval a run waits (or waited) for, as the inbox lists it (`listApprovals`, `approvals$`). */
export interface ApprovalItem {
  /** `<runId>:<taskId>`, or `<runId>:<taskId>:<index>` for one item of a `forEach` task. */
  approvalId: string
  runId: string
  /** The definition the run runs. */
  definitionId: string
  taskId: string
  index?: number
  title: string
  description?: string
  data?: unknown
  form?: object
  /** The current level; 0 is the first. */
  level: number
  /** Who may decide at the current level: these principals, and members of these groups. */
  approvers: string[]
  groups: string[]
  quorum: number
  /** Every vote, at every level, in the order cast. */
  votes: { by: string; decision: 'approved' | 'rejected'; at: number; comment?: string; level: number }[]
  /** When the approval was first asked for (its `approval.required`). */
  createdAt: number
  /** The current level's deadline: reset by an escalation. */
  dueAt?: number
  status: ApprovalStatus
}

/** What `listApprovals` and `approvals$` select; every field narrows the list. */
export interface ApprovalFilter {
  status?: ApprovalStatus | ApprovalStatus[]
  /**
   * Only what this principal may decide now: open approvals whose current level lists it as an
   * approver or names one of its groups (`EngineOptions.groupsOf`), and that it has not voted on
   * at this level.
   */
  principal?: string
  /** Only approvals whose current level names one of these groups. */
  groups?: string[]
  runId?: string
  definitionId?: string
  /** Only approvals due before this time (ms since epoch); those without a deadline are left out. */
  dueBefore?: number
  /** At most this many, at least 1. Default: all. */
  limit?: number
}

export interface WaitOptions {
  /** Rejects with `TIMEOUT` when the run has not ended within this many ms. */
  timeoutMs?: number
}

/** The params of the `ai` action: the action's check and the register-time check both use this list. */
export const AI_PARAMS: readonly string[] = [
  'model',
  'require',
  'system',
  'prompt',
  'messages',
  'output',
  'temperature',
  'maxOutputTokens',
  'stream',
  'timeoutMs',
]

/** The keys of the `ai` action's `require`. */
export const AI_REQUIREMENTS: readonly string[] = ['structuredOutput', 'minContext', 'onDevice']

/** The roles of an `ai` message. */
export const AI_ROLES: readonly string[] = ['system', 'user', 'assistant']

/** The `type`s a JSON Schema may name (an `ai` task's `output.schema`). */
export const JSON_SCHEMA_TYPES: readonly string[] = [
  'object',
  'array',
  'string',
  'number',
  'integer',
  'boolean',
  'null',
]

/**
 * A model the `ai` action may call (`EngineOptions.models`). `apiKey` is the NAME of a secret
 * (`EngineOptions.secrets`, `setSecret`), never a key itself.
 */
export interface ModelSpec {
  /** The id tasks name in `params.model`. */
  id: string
  provider: 'openai-compatible' | 'chrome-built-in'
  /** OpenAI-compatible only: the endpoint up to and including `/v1`, e.g. `http://localhost:11434/v1`. */
  baseUrl?: string
  /** The provider's model name; default: `id`. */
  model?: string
  /** The name of the secret that holds the API key (sent as `Authorization: Bearer <key>`). */
  apiKey?: string
  /** Tokens the model reads at most (prompt and answer); `require.minContext` compares with it. */
  contextWindow?: number
  capabilities?: { structuredOutput?: boolean; streaming?: boolean; tools?: boolean }
  /** The model runs on this device: nothing leaves it (`require.onDevice`). */
  onDevice?: boolean
  /** Price per million tokens; `model: 'auto'` picks the cheapest (input + output). */
  costPer1M?: { input: number; output: number }
}

/** A model and whether the `ai` action can call it now (`engine.models()`). */
export interface ModelInfo extends ModelSpec {
  available: boolean
  /** Why it is not available (no API key set, no page offers Chrome's built-in model, …). */
  reason?: string
}

/**
 * An event route (`Engine.route`): an emitted event of type `event` (exact, or `prefix.*` for
 * every type that starts with `prefix.`) starts a run of `workflow` when `when` (CEL over
 * `event`) is true, with `input` (`${ }` templates over `event`). An event whose `id`, or whose
 * `dedupeKey` value (CEL over `event`), this route saw within `dedupeWindowMs` (default 24 h)
 * starts nothing again.
 */
export interface RouteSpec {
  id?: string
  event: string
  workflow: string
  version?: string
  when?: string
  input?: Record<string, unknown>
  dedupeKey?: string
  dedupeWindowMs?: number
}

/** A route as `route` and `listRoutes` return it. */
export interface RouteInfo {
  id: string
  spec: RouteSpec
  createdAt: number
}

/** An event given to `Engine.emit`. */
export interface EmittedEvent {
  type: string
  data?: unknown
  id?: string
}

/**
 * An emitted event as the log keeps it and as a `wait-for-event` task outputs it: `id` is the
 * one given to `emit`, or one the engine made; `at` is when it was emitted.
 */
export interface LoggedEvent {
  type: string
  data: unknown
  id: string
  at: number
}

/** What `schedule` does with an occurrence whose earlier run is still going. */
export type ScheduleOverlap = 'skip' | 'buffer-one' | 'buffer-all' | 'cancel-other' | 'allow-all'

/** A workflow started on a timetable: a `cron` expression (in `timezone`) or every `everyMs`. */
export interface ScheduleSpec {
  id?: string
  workflow: string
  version?: string
  cron?: string
  everyMs?: number
  timezone?: string
  input?: Record<string, unknown>
  startAt?: number
  endAt?: number
  jitterMs?: number
  overlap?: ScheduleOverlap
  catchUp?: { policy?: 'latest' | 'all' | 'none'; windowMs?: number; maxRuns?: number }
  paused?: boolean
}

/** One occurrence of a schedule as `ScheduleInfo.recent` keeps it. */
export interface ScheduleOccurrence {
  scheduledAt: number
  runId?: string
  outcome: 'started' | 'missed'
  /** `refused`: its run could not start (workflow gone, input refused, `authorize` said no). */
  reason?: 'overlap' | 'catch-up' | 'paused' | 'refused'
  /** Why a `refused` occurrence's run did not start. */
  error?: { code: string; message: string }
  /**
   * Missed occurrences recorded as one entry (a long closed period): how many, from
   * `scheduledAt` (the oldest of them) on. Absent: this one occurrence.
   */
  count?: number
}

/**
 * `schedule.fired` / `schedule.missed` on `events$`: an occurrence of a schedule started or
 * recorded missed. Kept in `ScheduleInfo.recent`, never in a run journal, so it has no `seq`.
 * `runId` is the occurrence's run id, `sched:<scheduleId>:<scheduledAt>` (no run has it when
 * missed); `count` as in `ScheduleOccurrence`.
 */
export interface ScheduleEvent {
  type: 'schedule.fired' | 'schedule.missed'
  scheduleId: string
  scheduledAt: number
  runId: string
  /** When the leader fired or recorded it. */
  at: number
  reason?: ScheduleOccurrence['reason']
  count?: number
  error?: ScheduleOccurrence['error']
}

/** What `events$` carries: the runs' journal events and the schedules' events. */
export type EngineEvent = WorkflowEvent | ScheduleEvent

/**
 * Whether `event` is a run's journal event (not a schedule's): `events$.pipe(filter(isRunEvent))`
 * is the stream of `WorkflowEvent`s.
 */
export function isRunEvent(event: EngineEvent): event is WorkflowEvent {
  return 'seq' in event
}

/** A stored schedule, with its next fire times. */
export interface ScheduleInfo {
  id: string
  workflow: string
  spec: ScheduleSpec
  paused: boolean
  nextRuns: number[]
  recent: ScheduleOccurrence[]
}
