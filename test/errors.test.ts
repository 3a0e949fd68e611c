import { describe, expect, it } from 'vitest'
import {
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
  WorkerUnavailableError,
} from '../src/errors'

const samples: [string, () => SpindleError][] = [
  ['SpindleError', () => new SpindleError('INVALID_STATE', 'x')],
  ['DefinitionError', () => new DefinitionError([])],
  ['InputError', () => new InputError([])],
  ['NotFoundError', () => new NotFoundError('x')],
  ['InvalidStateError', () => new InvalidStateError('x')],
  ['ArgumentError', () => new ArgumentError('x')],
  ['TaskError', () => new TaskError('TASK_FAILED', 'x')],
  ['TimeoutError', () => new TimeoutError('x')],
  ['ExpressionError', () => new ExpressionError('1 +', 'x')],
  ['StorageError', () => new StorageError('x')],
  ['StaleExecutorError', () => new StaleExecutorError('x')],
  ['EngineClosedError', () => new EngineClosedError()],
  ['WorkerUnavailableError', () => new WorkerUnavailableError('x')],
]

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
