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
  toErrorInfo,
  WorkerUnavailableError,
} from '../src/errors'

const samples: [string, () => SpindleError][] = [
  ['SpindleError', () => new SpindleError('INVALID_STATE', 'x')],
  ['DefinitionError', () => new DefinitionError([])],
  ['InputError', () => new InputError([])],
  ['NotFoundError', () => new NotFoundError('x')],
  ['InvalidStateError', () => new InvalidStateError('x')],
  ['ForbiddenError', () => new ForbiddenError('x')],
  ['ArgumentError', () => new ArgumentError('x')],
  ['TaskError', () => new TaskError('TASK_FAILED', 'x')],
  ['TimeoutError', () => new TimeoutError('x')],
  ['ExpressionError', () => new ExpressionError('1 +', 'x')],
  ['StorageError', () => new StorageError('x')],
  ['StaleExecutorError', () => new StaleExecutorError('x')],
  ['EngineClosedError', () => new EngineClosedError()],
  ['WorkerUnavailableError', () => new WorkerUnavailableError('x')],
]

describe('toErrorInfo', () => {
  it('keeps the code and message of a SpindleError and the string code of any Error', () => {
    expect(toErrorInfo(new TaskError('TIMEOUT', 'too slow'))).toEqual({
      code: 'TIMEOUT',
      message: 'too slow',
    })
    expect(toErrorInfo(Object.assign(new Error('boom'), { code: 'HTTP_ERROR' }))).toEqual({
      code: 'HTTP_ERROR',
      message: 'boom',
    })
    expect(toErrorInfo(new RangeError(''))).toEqual({ code: 'ACTION_FAILED', message: 'RangeError' })
    expect(toErrorInfo('plain text')).toEqual({ code: 'ACTION_FAILED', message: 'plain text' })
    expect(toErrorInfo({ status: 503 })).toEqual({ code: 'ACTION_FAILED', message: '{"status":503}' })
  })

  it('never throws, whatever was thrown: circular objects, BigInts, objects without a prototype, hostile proxies', () => {
    const circular: Record<string, unknown> = { name: 'loop' }
    circular.self = circular
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no prototype for you')
        },
        get() {
          throw new Error('no fields either')
        },
        ownKeys() {
          throw new Error('no keys')
        },
      },
    )
    const badMessage = Object.assign(new Error('x'), {})
    Object.defineProperty(badMessage, 'message', {
      get() {
        throw new Error('unreadable message')
      },
    })
    const cases: unknown[] = [
      circular,
      10n,
      { amount: 10n },
      Object.create(null),
      hostile,
      badMessage,
      Symbol('s'),
    ]
    for (const thrown of cases) {
      const info = toErrorInfo(thrown)
      expect(info.code).toBe('ACTION_FAILED')
      expect(typeof info.message).toBe('string')
      expect(info.message.length).toBeGreaterThan(0)
      // The result goes into the journal: it must be plain data.
      expect(structuredClone(info)).toEqual(info)
    }
    expect(toErrorInfo(10n).message).toBe('10')
    expect(toErrorInfo(circular).message).toBe('{"name":"loop","self":"[circular]"}')
    expect(toErrorInfo({ amount: 10n }).message).toBe('{"amount":"10"}')
    expect(toErrorInfo({ text: 'x'.repeat(5000) }).message.length).toBeLessThanOrEqual(1001)
  })

  it('turns a non-string message of an Error into text', () => {
    const error = Object.assign(new Error(), { message: { detail: 'structured' } })
    expect(toErrorInfo(error)).toEqual({ code: 'ACTION_FAILED', message: '{"detail":"structured"}' })
  })
})

describe('error names', () => {
  it.each(samples)('%s keeps its name when a minifier renames the class', (name, make) => {
    const type = make().constructor
    const original = Object.getOwnPropertyDescriptor(type, 'name')!
    // What a minifier does to `class DefinitionError`: the constructor is called `t`.
    Object.defineProperty(type, 'name', { value: 't', configurable: true })
    try {
      const error = make()
      expect(error.name).toBe(name)
      expect(String(error)).toMatch(new RegExp(`^${name}: `))
      expect(error.toJSON().name).toBe(name)
    } finally {
      Object.defineProperty(type, 'name', original)
    }
  })
})
