import { describe, expect, it } from 'vitest'
import { waits } from '../../../src/core/reducer/waits'
import { chain, fed, startedRun, types, workflow } from './reducer-fixtures'

describe('waits', () => {
  it('task.waiting until a time frees the slot and arms the timer; timer.fired completes it', () => {
    const { s, feed } = startedRun(chain())
    const step = feed({ type: 'task.waiting', taskId: 'a', until: 100, at: 20 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 100 }])
    expect(s.tasks.a!.status).toBe('waiting')
    expect(s.inFlight).toBe(0)
    const fired = feed({ type: 'timer.fired', taskId: 'a', at: 100 })
    expect(types(fired)).toEqual(['timer.fired', 'task.completed', 'task.started'])
    expect(s.tasks.a!.status).toBe('completed')
  })

  it('task.waiting for a signal already buffered completes at once from the buffer', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'signal.received', name: 'go', payload: 1, at: 15 })
    const step = feed({ type: 'task.waiting', taskId: 'a', signal: 'go', at: 20 })
    expect(types(step)).toEqual(['task.waiting', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ signal: 3 })
    expect(s.bufferedSignals).toBe(0)
  })

  it('task.waiting for a buffered signal arms no timeout: the wait ended before it began', () => {
    const { feed } = startedRun(chain())
    feed({ type: 'signal.received', name: 'go', payload: 1, at: 15 })
    const step = feed({ type: 'task.waiting', taskId: 'a', signal: 'go', until: 500, at: 20 })
    expect(step.commands).toEqual([{ type: 'start', taskId: 'b', attempt: 1 }])
  })

  it('task.waiting of forEach items arms the earliest deadline among the items still waiting', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'signal.received', name: 'go', payload: 1, at: 15 })
    const items = [
      { index: 0, signal: 'go', until: 40 },
      { index: 1, until: 90 },
    ]
    const step = feed({ type: 'task.waiting', taskId: 'a', items, count: 2, at: 20 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 90 }])
    expect(s.tasks.a!.wait).toEqual({
      kind: 'items',
      count: 2,
      items: { 1: { kind: 'timer', until: 90 } },
      until: 90,
    })
  })

  it('timer.fired on a signal wait times the task out', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.waiting', taskId: 'a', signal: 'go', until: 60, at: 20 })
    const step = feed({ type: 'timer.fired', taskId: 'a', at: 60 })
    expect(types(step)).toEqual(['timer.fired', 'task.timed-out', 'task.failed', 'workflow.failed'])
    expect(s.tasks.a!.error).toMatchObject({ code: 'TIMEOUT' })
  })

  it('task.waiting of forEach items: each item resolves on its own, then the task completes', () => {
    const { s, feed } = startedRun(chain())
    const items = [
      { index: 0, until: 100 },
      { index: 1, signal: 'go' },
      { index: 2, until: 50 },
    ]
    const step = feed({ type: 'task.waiting', taskId: 'a', items, count: 4, at: 20 })
    expect(step.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 50 }])
    expect(s.tasks.a!.wait).toMatchObject({ kind: 'items', count: 4, until: 50 })
    const early = feed({ type: 'timer.fired', taskId: 'a', at: 50 })
    expect(early.records.map((r) => [r.type, 'index' in r ? r.index : undefined])).toEqual([
      ['timer.fired', undefined],
      ['task.item-completed', 2],
    ])
    expect(early.commands).toEqual([{ type: 'arm', taskId: 'a', deadline: 100 }])
    feed({ type: 'signal.received', name: 'go', payload: 'p', at: 60 })
    expect(s.tasks.a!.status).toBe('waiting')
    const last = feed({ type: 'timer.fired', taskId: 'a', at: 100 })
    expect(types(last)).toEqual(['timer.fired', 'task.item-completed', 'task.completed', 'task.started'])
    expect(last.records[2]).toMatchObject({ items: 4 })
    expect(s.tasks.a).toMatchObject({ status: 'completed', itemsDone: 3, wait: undefined })
  })

  it('timer.fired at the end of a back-off makes the task ready again', () => {
    const wf = workflow({ a: { action: 'noop', retry: { maxAttempts: 2, initialDelayMs: 50, jitter: 0 } } })
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' }, at: 20 })
    const step = feed({ type: 'timer.fired', taskId: 'a', at: 70 })
    expect(types(step)).toEqual(['timer.fired', 'task.started'])
    expect(s.tasks.a).toMatchObject({ status: 'running', attempts: 2, queueMs: 50 })
  })
})

describe('the waits handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in waits).sort()).toEqual(Object.keys(waits).sort())
  })
})
