import { describe, expect, it } from 'vitest'
import {
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
} from '../../src/errors'
import { fromWireError, toWireError } from '../../worker/wire-error'

/** What the page gets for `error` thrown in the worker: reduced, cloned as postMessage does, rebuilt. */
const cross = (error: unknown) => fromWireError(structuredClone(toWireError(error)))

const issues = [{ path: 'tasks.b.dependsOn[0]', code: 'unknown-task', message: 'no task "x"' }]

describe('wire errors', () => {
  it.each([
    ['DefinitionError', new DefinitionError(issues, { value: { id: 'x' } }), DefinitionError],
    ['InputError', new InputError(issues, { value: { a: 1 } }), InputError],
    ['NotFoundError', new NotFoundError('no run "r"', { value: 'r' }), NotFoundError],
    ['InvalidStateError', new InvalidStateError('it is completed', { value: 'r' }), InvalidStateError],
    ['ForbiddenError', new ForbiddenError('ann is no approver', { value: 'ann' }), ForbiddenError],
    ['ArgumentError', new ArgumentError('limit must be > 0', { value: -1 }), ArgumentError],
    ['ForbiddenError', new ForbiddenError('ann may not cancel', { value: 'ann' }), ForbiddenError],
    ['TaskError', new TaskError('TIMEOUT', 'task a timed out', { taskId: 'a' }), TaskError],
    ['TimeoutError', new TimeoutError('did not finish', { value: 5 }), TimeoutError],
    ['ExpressionError', new ExpressionError('a.b > 1', 'no key b'), ExpressionError],
    ['StorageError', new StorageError('quota exceeded'), StorageError],
    ['StaleExecutorError', new StaleExecutorError('epoch 3 > 2'), StaleExecutorError],
    ['EngineClosedError', new EngineClosedError(), EngineClosedError],
    ['SpindleError', new SpindleError('OUTPUT_INVALID', 'bad output', { value: [1] }), SpindleError],
  ] as const)('%s keeps its class, code, message, value and fields', (name, error, type) => {
    const rebuilt = cross(error) as SpindleError
    expect(rebuilt).toBeInstanceOf(type)
    expect(rebuilt).toBeInstanceOf(SpindleError)
    expect(rebuilt.name).toBe(name)
    expect(rebuilt.toJSON()).toEqual(error.toJSON())
    expect(rebuilt.stack).toBe(error.stack)
  })

  it("keeps a storage error's reason", () => {
    const rebuilt = cross(new StorageError('disk full', { reason: 'quota' })) as StorageError
    expect(rebuilt).toBeInstanceOf(StorageError)
    expect(rebuilt.reason).toBe('quota')
    expect((cross(new StorageError('other')) as StorageError).reason).toBeUndefined()
  })

  it('keeps a chain of causes, Spindle or not', () => {
    const root = new TypeError('socket closed')
    const error = new StorageError('write failed', {
      cause: new TaskError('ACTION_FAILED', 'a failed', { cause: root }),
    })
    const rebuilt = cross(error) as Error
    expect(rebuilt.cause).toBeInstanceOf(TaskError)
    expect((rebuilt.cause as Error).cause).toMatchObject({ name: 'TypeError', message: 'socket closed' })
  })

  it('stops at a cyclic cause', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    ;(a as { cause?: unknown }).cause = b
    let depth = 0
    for (let e = cross(a) as Error | undefined; e; e = e.cause as Error | undefined) depth++
    expect(depth).toBe(5)
  })

  it('keeps the code of a foreign error and a thrown non-error as it is', () => {
    const foreign = Object.assign(new Error('denied'), { code: 'EACCES' })
    expect(cross(foreign)).toMatchObject({ message: 'denied', code: 'EACCES' })
    expect(cross('just a string')).toBe('just a string')
    expect(cross({ reason: 42 })).toEqual({ reason: 42 })
  })

  it('turns a value that cannot be cloned into text', () => {
    const error = new ArgumentError('not data', { value: { run: Symbol('x') } })
    expect(() => structuredClone(error.value)).toThrow()
    expect((cross(error) as ArgumentError).value).toBe('{}')
    expect((cross(new ArgumentError('fn', { value: () => 1 })) as ArgumentError).value).toBe('() => 1')
  })
})
