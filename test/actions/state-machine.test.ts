import { describe, expect, it } from 'vitest'
import { assign, createMachine, fromPromise } from 'xstate'
import type { BuiltinContext } from '../../src/actions/builtin-context'
import { stateMachine } from '../../src/actions/state-machine'
import { isWaitRequest } from '../../src/actions/wait'
import { MachineRunner } from '../../src/runtime/machine-runner'
import { handContext } from '../support/builtin-context'

const toggle = createMachine({
  id: 'toggle',
  initial: 'off',
  context: ({ input }: { input?: { flips?: number } }) => ({ flips: input?.flips ?? 0 }),
  states: {
    off: { on: { flip: { target: 'on', actions: assign({ flips: ({ context }) => context.flips + 1 }) } } },
    on: { on: { flip: 'off', stop: 'stopped' } },
    stopped: { type: 'final', output: ({ context }) => ({ flips: context.flips }) },
  },
})
const instant = createMachine({
  initial: 'done',
  states: { done: { type: 'final', output: () => 'at once' } },
})
const invoking = createMachine({
  initial: 'loading',
  states: {
    loading: { invoke: { src: fromPromise(async () => 1), onDone: 'done' } },
    done: { type: 'final' },
  },
})
const delayed = createMachine({ initial: 'a', states: { a: { after: { 1000: 'b' } }, b: { type: 'final' } } })
/** Its delayed transition is in a state it reaches only later. */
const delayedLater = createMachine({
  initial: 'a',
  states: { a: { on: { go: 'b' } }, b: { after: { 1000: 'c' } }, c: { type: 'final' } },
})
const throwing = createMachine({
  initial: 'a',
  states: {
    a: {
      entry: () => {
        throw new Error('entry broke')
      },
    },
  },
})

const machines = new MachineRunner({ toggle, instant, invoking, delayed, delayedLater, throwing })

function context(index?: number): BuiltinContext {
  return handContext({ machines, ...(index === undefined ? {} : { index }) })
}

describe('the state-machine action', () => {
  it('waits on a machine wait holding the persisted snapshot and the events the state takes', () => {
    const request = stateMachine({ machine: 'toggle', input: { flips: 3 } }, context())
    expect(isWaitRequest(request)).toBe(true)
    expect(request).toMatchObject({
      wait: {
        kind: 'machine',
        machine: 'toggle',
        accepts: ['flip'],
        snapshot: { status: 'active', value: 'off', context: { flips: 3 } },
      },
    })
  })

  it('gives the output of a machine that is final at once', () => {
    expect(stateMachine({ machine: 'instant' }, context())).toBe('at once')
  })

  it('refuses bad params, an unknown machine and forEach with INPUT_INVALID', () => {
    expect(() => stateMachine({}, context())).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }))
    expect(() => stateMachine({ machine: 'toggel' }, context())).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringContaining('known: toggle') }),
    )
    expect(() => stateMachine({ machine: 'toggle' }, context(0))).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringContaining('forEach') }),
    )
  })

  it('refuses machines that would not survive a reload: invoked actors, delayed transitions', () => {
    expect(() => stateMachine({ machine: 'invoking' }, context())).toThrow(
      expect.objectContaining({
        code: 'INPUT_INVALID',
        message: expect.stringContaining('invokes an actor'),
      }),
    )
    for (const machine of ['delayed', 'delayedLater'])
      expect(() => stateMachine({ machine }, context())).toThrow(
        expect.objectContaining({
          code: 'INPUT_INVALID',
          message: expect.stringContaining('delayed (after)'),
        }),
      )
  })

  it('fails with MACHINE_FAILED when the machine throws as it starts', () => {
    expect(() => stateMachine({ machine: 'throwing' }, context())).toThrow(
      expect.objectContaining({ code: 'MACHINE_FAILED', message: expect.stringContaining('entry broke') }),
    )
  })
})
