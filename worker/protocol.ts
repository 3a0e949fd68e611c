import { CONTROL_CALLS } from '../src/engine/controls'
import type { ValidationIssue } from '../src/errors'
import type { Engine, EngineEvent, Migrations } from '../src/index'
import type { DefaultWorkerOptions } from './default-worker-options'

/**
 * The messages between `connectEngine` (the page) and `serveEngine` (the worker).
 *
 * 1. The page makes a `MessageChannel` and posts a {@link ConnectMessage} carrying one port to the
 *    worker. Each connection gets its own port, so closing one never disturbs another.
 * 2. Over that port the worker exposes a {@link ConnectionApi} with Comlink. Every engine call goes
 *    through `call(method, args)` and resolves to a {@link CallResult}: Comlink alone keeps only an
 *    error's name, message and stack, the envelope keeps its class, `code`, `value` and `issues`.
 * 3. Events travel on a dedicated port per page subscription ({@link StreamMessage}). The
 *    page starts and ends a subscription with calls on the connection, so they stay in order with
 *    its other calls (a run snapshot read after `subscribe` misses no event).
 * 4. Workers on the same database mirror their events on the `BroadcastChannel` named by
 *    {@link broadcastChannelName}, in {@link EventBatch} messages too.
 */

/**
 * The engine methods the page forwards to the worker as they are: asynchronous, plain data in and
 * out. The control calls come from their table; adding another method to `Engine` means adding
 * its name here and nothing else.
 */
export const FORWARDED_METHODS = [
  'register',
  'getDefinition',
  'listDefinitions',
  'deleteDefinition',
  'listTemplates',
  'instantiate',
  'start',
  ...CONTROL_CALLS,
  'getRun',
  'listRuns',
  'checkpoints',
  'history',
  'wait',
  'listApprovals',
  'runSnapshot',
  'recover',
  'idle',
  'setSecret',
  'deleteSecret',
  'listSecrets',
  'clearCache',
  'models',
  'route',
  'unroute',
  'listRoutes',
  'emit',
  'schedule',
  'updateSchedule',
  'unschedule',
  'listSchedules',
  'purge',
  'storage',
] as const satisfies readonly (keyof Engine)[]

export type ForwardedMethod = (typeof FORWARDED_METHODS)[number]

/** The calls of `engine.migrations`, forwarded as `migrations.<name>`. */
export const MIGRATION_CALLS = [
  'status',
  'migrate',
  'migrateAll',
] as const satisfies readonly (keyof Migrations)[]

/**
 * Posted by the page on the default worker first of all (`connectEngine()` without a worker):
 * the engine options it makes its engine with, before it serves any connection.
 */
export interface ConfigureMessage {
  type: 'spindle.configure'
  options: DefaultWorkerOptions
}

/** Posted by the page on the worker itself to open a connection; `port` is transferred. */
export interface ConnectMessage {
  type: 'spindle.connect'
  port: MessagePort
  /**
   * A Web Lock the worker holds while the connection is open. The page asks for it once the worker
   * has answered: when the page gets it, the worker has ended (terminated, crashed or closed itself).
   */
  lock?: string
  /**
   * Whom every call of the connection is made as (`connectEngine(worker, { principal })`): named
   * once, here, so no call can name another. The worker takes it as the page says it: whoever
   * can post to the worker (the page's own code, same origin) can name anyone.
   */
  principal?: string
  /**
   * The page's Chrome built-in model (`LanguageModel`), which workers lack: a port over which
   * the page serves it (an `OnDeviceBridge`, worker/on-device-bridge.ts), when the page has it.
   */
  languageModel?: MessagePort
}

/** What one connection exposes over Comlink. */
export interface ConnectionApi {
  /** Runs `engine[method](...args)`; never rejects: failures come back as `{ ok: false }`. */
  call(method: string, args: unknown[]): Promise<CallResult>
  /**
   * Starts event subscription `id` of this connection: it posts {@link EventBatch} messages on
   * `port` (transferred) until `unsubscribe(id)`, which also closes the port.
   */
  subscribe(id: number, port: MessagePort): void
  unsubscribe(id: number): void
  /** Closes the engine in the worker. */
  close(): Promise<CallResult>
  /** Ends this connection's subscriptions; the page releases its Comlink proxy next. */
  disconnect(): void
  /**
   * What the page needs to know about the engine to answer `validate()` by itself. The first answer
   * of a worker: it comes once the worker holds the connection's `lock`.
   */
  describe(): Promise<EngineDescription>
  /** Counters of this worker, for tests and diagnostics. */
  stats(): WorkerStats
}

export interface EngineDescription {
  /** The engine's store name, when the engine tells it (`engine.storeName`). */
  storeName?: string
  /** The action names definitions may use, when the engine tells them (`engine.actionNames`). */
  actionNames?: string[]
}

export type CallResult = { ok: true; value: unknown } | { ok: false; error: WireError }

/** Events in the order the engine published them; never empty. */
export interface EventBatch {
  type: 'spindle.events'
  events: EngineEvent[]
}

/**
 * What an event subscription port carries: batches, then at most one `spindle.end` (the engine
 * closed: nothing follows) or `spindle.error` (its event stream failed).
 */
export type StreamMessage = EventBatch | { type: 'spindle.end' } | { type: 'spindle.error'; error: WireError }

export interface WorkerStats {
  /** Open connections (one per `connectEngine`). */
  connections: number
  /** Open event subscriptions, over all connections. */
  subscriptions: number
  /** Event batches posted to pages since the worker started. */
  batchesPosted: number
  /** Events posted to pages since the worker started. */
  eventsPosted: number
  /** Events received from other workers on the `BroadcastChannel`. */
  eventsMirroredIn: number
}

/** The classes of `src/errors.ts` an error can be rebuilt as on the page. */
export type ErrorKind =
  | 'SpindleError'
  | 'DefinitionError'
  | 'InputError'
  | 'NotFoundError'
  | 'InvalidStateError'
  | 'ForbiddenError'
  | 'ArgumentError'
  | 'TaskError'
  | 'TimeoutError'
  | 'ExpressionError'
  | 'StorageError'
  | 'StaleExecutorError'
  | 'EngineClosedError'
  | 'WorkerUnavailableError'

/** A thrown value as it crosses the worker boundary. */
export type WireError =
  | {
      kind: ErrorKind
      code: string
      message: string
      stack?: string
      value?: unknown
      issues?: ValidationIssue[]
      taskId?: string
      expression?: string
      reason?: 'quota'
      cause?: WireError
    }
  | { kind: 'Error'; name: string; message: string; stack?: string; code?: string; cause?: WireError }
  | { kind: 'value'; value: unknown }

/** The `BroadcastChannel` on which workers using the store named `storeName` mirror their events. */
export function broadcastChannelName(storeName: string): string {
  return `spindle:${storeName}`
}

/** Events per {@link EventBatch} at most; a full batch leaves at once instead of at the end of the task. */
export const MAX_BATCH = 500
