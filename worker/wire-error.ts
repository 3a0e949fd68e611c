import {
  ArgumentError,
  DefinitionError,
  EngineClosedError,
  type ErrorCode,
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
} from '../src/errors'
import type { ErrorKind, WireError } from './protocol'

/**
 * Subclasses before their parents: the first `instanceof` that holds names the kind. Kinds are
 * string literals rather than `constructor.name`, which a minifier may rename.
 */
const KINDS: readonly [ErrorKind, abstract new (...args: any[]) => SpindleError][] = [
  ['DefinitionError', DefinitionError],
  ['InputError', InputError],
  ['NotFoundError', NotFoundError],
  ['InvalidStateError', InvalidStateError],
  ['ForbiddenError', ForbiddenError],
  ['ArgumentError', ArgumentError],
  ['TaskError', TaskError],
  ['TimeoutError', TimeoutError],
  ['ExpressionError', ExpressionError],
  ['StorageError', StorageError],
  ['StaleExecutorError', StaleExecutorError],
  ['EngineClosedError', EngineClosedError],
  ['WorkerUnavailableError', WorkerUnavailableError],
  ['SpindleError', SpindleError],
]

/** Causes nested deeper than this are cut off (a cause chain may be cyclic). */
const MAX_CAUSE_DEPTH = 4

/** Reduces a thrown value to structured-clone-safe data that keeps its class, `code` and fields. */
export function toWireError(error: unknown, depth = 0): WireError {
  const cause =
    error instanceof Error && error.cause !== undefined && depth < MAX_CAUSE_DEPTH
      ? toWireError(error.cause, depth + 1)
      : undefined
  if (error instanceof SpindleError) {
    const kind = KINDS.find(([, type]) => error instanceof type)![0]
    const wire: WireError = { kind, code: error.code, message: error.message }
    if (error.stack !== undefined) wire.stack = error.stack
    if (error.value !== undefined) wire.value = cloneable(error.value)
    if (error instanceof DefinitionError || error instanceof InputError) wire.issues = error.issues
    if (error instanceof TaskError && error.taskId !== undefined) wire.taskId = error.taskId
    if (error instanceof ExpressionError) wire.expression = error.expression
    if (error instanceof StorageError && error.reason !== undefined) wire.reason = error.reason
    if (cause) wire.cause = cause
    return wire
  }
  if (error instanceof Error) {
    const wire: WireError = { kind: 'Error', name: error.name, message: error.message }
    if (error.stack !== undefined) wire.stack = error.stack
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') wire.code = code
    if (cause) wire.cause = cause
    return wire
  }
  return { kind: 'value', value: cloneable(error) }
}

/** Rebuilds on the page the error `toWireError` reduced in the worker: same class, code and fields. */
export function fromWireError(wire: WireError): unknown {
  if (wire.kind === 'value') return wire.value
  const options = { cause: wire.cause && fromWireError(wire.cause) }
  let error: Error
  if (wire.kind === 'Error') {
    error = new Error(wire.message, wire.cause ? options : undefined)
    error.name = wire.name
    if (wire.code !== undefined) Object.assign(error, { code: wire.code })
  } else {
    error = rebuild(wire, { ...options, value: wire.value })
    // Constructors such as DefinitionError compose their own message; keep the worker's exactly.
    error.message = wire.message
  }
  if (wire.stack !== undefined) error.stack = wire.stack
  return error
}

function rebuild(
  wire: Extract<WireError, { code: string; kind: ErrorKind }>,
  options: { cause: unknown; value: unknown },
): SpindleError {
  const code = wire.code as ErrorCode
  switch (wire.kind) {
    case 'DefinitionError':
      return new DefinitionError(wire.issues ?? [], options)
    case 'InputError':
      return new InputError(wire.issues ?? [], options)
    case 'NotFoundError':
      return new NotFoundError(wire.message, options)
    case 'InvalidStateError':
      return new InvalidStateError(wire.message, options)
    case 'ForbiddenError':
      return new ForbiddenError(wire.message, options)
    case 'ArgumentError':
      return new ArgumentError(wire.message, options)
    case 'TaskError':
      return new TaskError(code, wire.message, { ...options, taskId: wire.taskId })
    case 'TimeoutError':
      return new TimeoutError(wire.message, options)
    case 'ExpressionError':
      return new ExpressionError(wire.expression ?? String(wire.value), wire.message, options)
    case 'StorageError':
      return new StorageError(wire.message, { ...options, ...(wire.reason && { reason: wire.reason }) })
    case 'StaleExecutorError':
      return new StaleExecutorError(wire.message, options)
    case 'EngineClosedError':
      return new EngineClosedError(wire.message)
    case 'WorkerUnavailableError':
      return new WorkerUnavailableError(wire.message, options)
    default:
      return new SpindleError(code, wire.message, options)
  }
}

/** `value` itself when it survives structured cloning, otherwise a readable string of it. */
function cloneable<T>(value: T): T | string {
  try {
    structuredClone(value)
    return value
  } catch {
    try {
      return JSON.stringify(value) ?? String(value)
    } catch {
      return String(value)
    }
  }
}
