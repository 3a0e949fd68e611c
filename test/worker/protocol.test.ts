import { ArgumentError, NotFoundError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { CONTROL_CALLS } from '../../src/engine/controls'
import { FORWARDED_METHODS } from '../../worker/protocol'
import { connectedWorkers } from './engine-worker'

const connect = connectedWorkers()

describe('the worker protocol', () => {
  it('forwards every control call of the table', () => {
    for (const name of CONTROL_CALLS) expect(FORWARDED_METHODS).toContain(name)
    expect(new Set(FORWARDED_METHODS).size).toBe(FORWARDED_METHODS.length)
  })

  it.each(CONTROL_CALLS)(
    '%s reaches the engine in the worker, and its errors come back typed',
    async (name) => {
      const engine = connect()
      const call = engine[name] as (...args: unknown[]) => Promise<unknown>
      const refused = await call('').catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(ArgumentError)
      expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT', value: '' })
      // A decision is an argument of its own, checked before the run is read.
      const decision = name === 'approve' || name === 'reject' ? [{ by: 'ann' }] : []
      const unknown = await call('no-such-run', 'a', ...decision).catch((e: unknown) => e)
      expect(unknown).toBeInstanceOf(NotFoundError)
      expect(unknown).toMatchObject({ code: 'NOT_FOUND' })
    },
  )
})
