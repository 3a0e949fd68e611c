import { describe, expect, it } from 'vitest'
import { signals } from '../../../src/core/reducer/signals'
import { chain, fed, startedRun, types } from './reducer-fixtures'

describe('signals', () => {
  it('signal.received completes the task waiting for it with the payload', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.waiting', taskId: 'a', signal: 'go', at: 20 })
    const step = feed({ type: 'signal.received', name: 'go', payload: { ok: true }, at: 30 })
    expect(types(step)).toEqual(['signal.received', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ output: { ok: true } })
    expect(s.tasks.a!.status).toBe('completed')
  })

  it('signal.received with nobody waiting is buffered', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'signal.received', name: 'later', payload: 1, at: 30 })
    expect(step.records).toEqual([expect.objectContaining({ type: 'signal.received', buffered: true })])
    expect(s.signals.later).toEqual([{ seq: 3, at: 30 }])
  })

  it('signal.dropped is derived by the buffer, so applying it again changes nothing', () => {
    const { s, feed } = startedRun(chain())
    const before = structuredClone(s)
    const step = feed({
      type: 'signal.dropped',
      name: 'x',
      signalSeq: 1,
      receivedAt: 0,
      reason: 'expired',
      at: 40,
    })
    expect(step.records).toEqual([])
    expect(step.commands).toEqual([])
    expect(s).toEqual(before)
  })
})

describe('the signals handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in signals).sort()).toEqual(Object.keys(signals).sort())
  })
})
