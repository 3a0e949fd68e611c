import { describe, expect, it } from 'vitest'
import { machines } from '../../../src/core/reducer/machines'
import type { RunEvent } from '../../../src/core/run-reducer'
import { createRunReplica } from '../../../src/core/run-replica'
import { can } from '../../../src/core/run-state'
import type { MachineWait, WorkflowEvent } from '../../../src/types'
import { chain, fed, startedRun, types } from './reducer-fixtures'

const wait: MachineWait = {
  kind: 'machine',
  machine: 'order',
  snapshot: { status: 'active', value: 'pending', context: {} },
  accepts: ['pay', 'cancel'],
}

/** `a` of `chain()` waiting on a machine that takes `pay` and `cancel`. */
function machineRun() {
  const run = startedRun(chain())
  run.feed({ type: 'task.waiting', taskId: 'a', wait, at: 20 })
  return run
}

describe('machines', () => {
  it('a signal the machine takes goes to it (not into the buffer); one it does not take is buffered', () => {
    const { s, feed } = machineRun()
    const taken = feed({ type: 'signal.received', name: 'pay', payload: { amount: 1 }, at: 21 })
    expect(taken.records[0]).not.toHaveProperty('buffered')
    const other = feed({ type: 'signal.received', name: 'ship', at: 22 })
    expect(other.records[0]).toMatchObject({ buffered: true })
    expect(s.bufferedSignals).toBe(1)
    expect(s.tasks.a!.wait).toEqual(wait)
  })

  it('machine.transitioned active moves the wait to the new snapshot, without changing the old one', () => {
    const { s, feed } = machineRun()
    const snapshot = { status: 'active', value: 'paid', context: { paid: 1 } }
    const step = feed({
      type: 'machine.transitioned',
      taskId: 'a',
      event: 'pay',
      status: 'active',
      snapshot,
      accepts: ['ship'],
      value: 'paid',
      at: 21,
    })
    expect(types(step)).toEqual(['machine.transitioned'])
    expect(s.tasks.a).toMatchObject({
      status: 'waiting',
      wait: { kind: 'machine', snapshot, accepts: ['ship'] },
    })
    expect(wait.accepts).toEqual(['pay', 'cancel'])
  })

  it('machine.transitioned done completes the task with the output and starts its dependents', () => {
    const { s, feed } = machineRun()
    const step = feed({
      type: 'machine.transitioned',
      taskId: 'a',
      event: 'cancel',
      status: 'done',
      output: 'x',
      at: 21,
    })
    expect(types(step)).toEqual(['machine.transitioned', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ output: 'x', attempt: 1 })
    expect(s.tasks.a).toMatchObject({ status: 'completed', wait: undefined })
  })

  it('machine.transitioned error fails the attempt; INPUT_INVALID is not retried', () => {
    const { s, feed } = machineRun()
    const step = feed({
      type: 'machine.transitioned',
      taskId: 'a',
      event: 'pay',
      status: 'error',
      error: { code: 'INPUT_INVALID', message: 'no such machine' },
      rand: 0.5,
      at: 21,
    })
    expect(types(step)).toEqual(['machine.transitioned', 'task.failed', 'workflow.failed'])
    expect(s.tasks.a).toMatchObject({ status: 'failed', error: { code: 'INPUT_INVALID' } })
  })

  it('machine.transitioned from a buffered signal takes that signal out of the buffer', () => {
    const { s, feed } = machineRun()
    feed({ type: 'signal.received', name: 'ship', payload: { carrier: 'x' }, at: 21 })
    const kept = s.signals.ship![0]!.seq
    const e: RunEvent = {
      type: 'machine.transitioned',
      taskId: 'a',
      event: 'ship',
      status: 'active',
      snapshot: {},
      accepts: [],
      signal: kept,
      at: 22,
    }
    expect(can(s, e)).toBe(true)
    feed(e)
    expect(s.bufferedSignals).toBe(0)
    expect(s.signals.ship).toBeUndefined()
    // Nothing left in the buffer to take: the same event is refused.
    expect(can(s, { ...e, at: 23 })).toBe(false)
  })

  it('takes machine.transitioned only for a task waiting on a machine', () => {
    const { s } = startedRun(chain())
    const e = { type: 'machine.transitioned', taskId: 'a', event: 'pay', status: 'active', at: 21 } as const
    expect(can(s, e)).toBe(false)
    expect(can(machineRun().s, e)).toBe(true)
    expect(can(machineRun().s, { ...e, taskId: 'nope' })).toBe(false)
  })

  it('a replica follows the transitions from the records alone, without the machine', () => {
    const live = startedRun(chain())
    const snapshot = {
      runId: 'r1',
      state: structuredClone(live.s),
      definition: chain().definition,
      seq: live.s.seq,
    }
    const replica = createRunReplica(snapshot as never)
    const records: WorkflowEvent[] = [
      ...live.feed({ type: 'task.waiting', taskId: 'a', wait, at: 20 }).records,
      ...live.feed({ type: 'signal.received', name: 'pay', payload: {}, at: 21 }).records,
      ...live.feed({
        type: 'machine.transitioned',
        taskId: 'a',
        event: 'pay',
        status: 'done',
        output: 7,
        at: 21,
      }).records,
    ]
    for (const record of records) expect(replica.apply(structuredClone(record))).toBe(true)
    expect(replica.state.tasks.a).toMatchObject({ status: 'completed' })
    expect(replica.state.seq).toBe(live.s.seq)
  })
})

describe('the machines handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in machines).sort()).toEqual(Object.keys(machines).sort())
  })
})
