import type { ErrorInfo, ValidationIssue } from './types'

export type { ErrorInfo, ValidationIssue }

/**
 * Every error Spindle throws is a `SpindleError` with a stable `code`, the offending value
 * (`value`) and a message that says how to fix it. The classes survive the trip from a worker
 * to the page (see `worker/protocol.ts`), so `instanceof` and `code` work on both sides.
 */

export type ErrorCode =
  | 'DEFINITION_INVALID'
  | 'INPUT_INVALID'
  | 'NOT_FOUND'
  | 'INVALID_STATE'
  | 'INVALID_ARGUMENT'
  | 'FORBIDDEN'
  | 'TASK_FAILED'
  | 'CHILD_FAILED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'EXPRESSION_FAILED'
  | 'ACTION_FAILED'
  | 'OUTPUT_INVALID'
  | 'STORAGE_FAILED'
  | 'STALE_EXECUTOR'
  | 'COMPENSATION_FAILED'
  | 'ENGINE_CLOSED'
  | 'WORKER_UNAVAILABLE'
  | 'FORBIDDEN'
  /** A `state-machine` task's machine threw (an action or a guard) or could not start. */
  | 'MACHINE_FAILED'
  /** An `http` call answered with a status outside `expect`, or did not answer (network error). */
  | 'HTTP_ERROR'
  /** An `http` call to an origin outside `EngineOptions.http.allow` (or redirected to one): refused. */
  | 'ORIGIN_NOT_ALLOWED'
  /**
   * A `file` operation the file system refused: a folder where a file is needed (or the
   * reverse), a folder that is not empty, content that is not JSON, a full storage quota.
   */
  | 'FILE_FAILED'
  /** A `secret('name')` reference in a built-in's params names a secret that is not set. */
  | 'SECRET_NOT_FOUND'
  /** An `ai` task's models all failed (each model's failure is in the message). */
  | 'AI_FAILED'

export interface SpindleErrorOptions {
  value?: unknown
  cause?: unknown
}

export class SpindleError extends Error {
  readonly code: ErrorCode
  /** The value that was rejected, when there is one. */
  readonly value: unknown

  constructor(code: ErrorCode, message: string, options: SpindleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.value = options.value
  }

  /** A literal, not `constructor.name`, which minifiers rename (`t`, `a`…) in built apps. */
  override get name(): string {
    return 'SpindleError'
  }

  /** A plain, structured-clone-safe form (used in events and across the worker boundary). */
  toJSON(): { name: string; code: ErrorCode; message: string; value?: unknown } {
    return { name: this.name, code: this.code, message: this.message, value: this.value }
  }
}

/** A definition failed to parse or validate. `issues` lists every problem by path. */
export class DefinitionError extends SpindleError {
  override get name(): string {
    return 'DefinitionError'
  }
  readonly issues: ValidationIssue[]
  constructor(issues: ValidationIssue[], options: SpindleErrorOptions = {}) {
    const head = issues
      .slice(0, 5)
      .map((i) => `${i.path || '(root)'}: ${i.message}`)
      .join('; ')
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
    super('DEFINITION_INVALID', `Invalid workflow definition: ${head}${more}`, options)
    this.issues = issues
  }
  override toJSON() {
    return { ...super.toJSON(), issues: this.issues }
  }
}

/** A run's input does not match the definition's `params` (or a decision's form its approval's schema). */
export class InputError extends SpindleError {
  override get name(): string {
    return 'InputError'
  }
  readonly issues: ValidationIssue[]
  /** `subject`: what the input is, when not a run's (`'approval form'`). */
  constructor(issues: ValidationIssue[], options: SpindleErrorOptions & { subject?: string } = {}) {
    super(
      'INPUT_INVALID',
      `Invalid ${options.subject ?? 'run input'}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      options,
    )
    this.issues = issues
  }
  override toJSON() {
    return { ...super.toJSON(), issues: this.issues }
  }
}

/** An unknown run, definition, task, checkpoint or template. */
export class NotFoundError extends SpindleError {
  override get name(): string {
    return 'NotFoundError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('NOT_FOUND', message, options)
  }
}

/** A control call that does not fit the run's (or task's) current status. Nothing was changed. */
export class InvalidStateError extends SpindleError {
  override get name(): string {
    return 'InvalidStateError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('INVALID_STATE', message, options)
  }
}

/**
 * The caller may not make this call: `EngineOptions.authorize` said no, the call names someone
 * else than the principal making it, or a decision on an approval is by someone who may not
 * decide it. Nothing was changed.
 */
export class ForbiddenError extends SpindleError {
  override get name(): string {
    return 'ForbiddenError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('FORBIDDEN', message, options)
  }
}

/** A bad argument to an API call (wrong type, out of range). Nothing was changed. */
export class ArgumentError extends SpindleError {
  override get name(): string {
    return 'ArgumentError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options)
  }
}

/** A task failed; `taskId` names it. Also the `error` of a run that failed because of it. */
export class TaskError extends SpindleError {
  override get name(): string {
    return 'TaskError'
  }
  readonly taskId: string | undefined
  /**
   * False when retrying cannot cure the failure (a 4xx answer, a bad key): the task's retry
   * policy is skipped and its `onError` applies at once. Thrown by any action, an `Error` with
   * `retryable: false` counts the same.
   */
  readonly retryable: boolean
  /**
   * The earliest the next attempt may start, in ms from the failure (an HTTP `Retry-After`): the
   * back-off waits at least this long. Thrown by any action, an `Error` with a numeric
   * `retryAfterMs` counts the same.
   */
  readonly retryAfterMs: number | undefined
  constructor(code: ErrorCode, message: string, options: TaskErrorOptions = {}) {
    super(code, message, options)
    this.taskId = options.taskId
    this.retryable = options.retryable ?? true
    this.retryAfterMs = options.retryAfterMs
  }
  override toJSON() {
    return { ...super.toJSON(), taskId: this.taskId }
  }
}

/** A `TaskError`'s options: which task, and what a retry may do about it. */
export interface TaskErrorOptions extends SpindleErrorOptions {
  taskId?: string
  retryable?: boolean
  retryAfterMs?: number
}

/**
 * What a thrown value says about retrying it: `noRetry` when it carries `retryable: false`,
 * and its `retryAfterMs` when that is a finite number of ms ≥ 0 (else absent).
 */
export function retryHints(error: unknown): { noRetry: boolean; retryAfterMs?: number } {
  if (typeof error !== 'object' || error === null) return { noRetry: false }
  try {
    const { retryable, retryAfterMs } = error as { retryable?: unknown; retryAfterMs?: unknown }
    const noRetry = retryable === false
    if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
      return { noRetry, retryAfterMs: Math.round(retryAfterMs) }
    }
    return { noRetry }
  } catch {
    // A getter or proxy trap threw while the hints were read: the error keeps its plain verdict.
    return { noRetry: false }
  }
}

/** `wait()` or an action exceeded its time limit. */
export class TimeoutError extends SpindleError {
  override get name(): string {
    return 'TimeoutError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('TIMEOUT', message, options)
  }
}

/** A CEL expression failed while it was evaluated. */
export class ExpressionError extends SpindleError {
  override get name(): string {
    return 'ExpressionError'
  }
  readonly expression: string
  constructor(expression: string, message: string, options: SpindleErrorOptions = {}) {
    super('EXPRESSION_FAILED', message, { value: expression, ...options })
    this.expression = expression
  }
}

/** Why a storage write failed, when Spindle can tell: `'quota'`, the site's storage quota is used up. */
export type StorageFailureReason = 'quota'

/**
 * The store could not commit a write. The run is paused; no completion was recorded. `reason` is
 * `'quota'` when the disk (the site's storage quota) is full.
 */
export class StorageError extends SpindleError {
  override get name(): string {
    return 'StorageError'
  }
  readonly reason: StorageFailureReason | undefined
  constructor(message: string, options: SpindleErrorOptions & { reason?: StorageFailureReason } = {}) {
    super('STORAGE_FAILED', message, options)
    this.reason = options.reason
  }

  override toJSON(): ReturnType<SpindleError['toJSON']> & { reason?: StorageFailureReason } {
    return this.reason === undefined ? super.toJSON() : { ...super.toJSON(), reason: this.reason }
  }
}

/**
 * Whether a thrown value says the storage quota is used up: a `QuotaExceededError` (a
 * DOMException, or a transaction aborted with one), or a `StorageError` with `reason: 'quota'`.
 */
export function isQuotaError(error: unknown): boolean {
  if (error instanceof StorageError) return error.reason === 'quota'
  return error instanceof Error && error.name === 'QuotaExceededError'
}

/** Another executor took over the run; this one may no longer write it. */
export class StaleExecutorError extends SpindleError {
  override get name(): string {
    return 'StaleExecutorError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('STALE_EXECUTOR', message, options)
  }
}

/** The engine was closed. */
export class EngineClosedError extends SpindleError {
  override get name(): string {
    return 'EngineClosedError'
  }
  constructor(message = 'The engine is closed; create a new engine on the same store to continue.') {
    super('ENGINE_CLOSED', message)
  }
}

/**
 * The worker behind `connectEngine` did not start serving in time, failed to load, or ended: the
 * call never reached an engine, or its answer never came back.
 */
export class WorkerUnavailableError extends SpindleError {
  override get name(): string {
    return 'WorkerUnavailableError'
  }
  constructor(message: string, options: SpindleErrorOptions = {}) {
    super('WORKER_UNAVAILABLE', message, options)
  }
}

/** The plain `{ code, message }` form kept in run state and events. */

/**
 * Reduces any thrown value to `{ code, message }`. Never throws: a thrown value may be circular,
 * hold a BigInt, have no prototype or be a proxy that throws on every access, and the failure it
 * stands for must still end its task.
 *
 * @example
 * toErrorInfo(Object.assign(new Error('HTTP 503'), { code: 'HTTP_ERROR' })) // { code: 'HTTP_ERROR', message: 'HTTP 503' }
 * toErrorInfo({ status: 503 }) // { code: 'ACTION_FAILED', message: '{"status":503}' }
 */
export function toErrorInfo(error: unknown, fallback: ErrorCode = 'ACTION_FAILED'): ErrorInfo {
  try {
    if (error instanceof StorageError && error.reason !== undefined)
      return { code: error.code, message: describeThrown(error.message), reason: error.reason }
    if (error instanceof SpindleError) return { code: error.code, message: describeThrown(error.message) }
    if (error instanceof Error) {
      const code = (error as { code?: unknown }).code
      const message = describeThrown(error.message) || describeThrown(error.name)
      return { code: typeof code === 'string' && code ? code : fallback, message }
    }
    return { code: fallback, message: describeThrown(error) || 'an empty value was thrown' }
  } catch {
    // A getter or proxy trap threw while the value was read.
    return { code: fallback, message: `a thrown ${typeof error} that cannot be read` }
  }
}

/** Longest description of a thrown non-string value kept in the journal. */
const MAX_DESCRIPTION = 1000

/** Text for a thrown value: strings as they are, other values as JSON (cycles and BigInts marked), else `String()`. */
function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value)
  const text = jsonOf(value) ?? String(value)
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text
}

function jsonOf(value: unknown): string | undefined {
  const seen = new WeakSet<object>()
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return String(item)
      if (typeof item === 'object' && item !== null) {
        if (seen.has(item)) return '[circular]'
        seen.add(item)
      }
      return item
    })
  } catch {
    // A toJSON or getter threw: the caller falls back to String().
    return undefined
  }
}
