import { describe, expect, it } from 'vitest'
import { EVENT_LOG_TTL_MS, eventWaitTypes, openEventWaits } from '../../src/core/event-waits'
import type { RunEvent } from '../../src/core/run-reducer'
import { can } from '../../src/core/run-state'
import { startedRun, workflow } from './reducer/reducer-fixtures'

const matchWait = (name: string) => ({ kind: 'signal' as const, name, match: 'true' })

function taking(taskId: string, id: string, at: number, eventAt = at): RunEvent {
  return {
    type: 'task.completed',
    taskId,
    attempt: 1,
    output: { type: 'tick', data: null, id, at: eventAt },
    emitted: `tick\u0000${id}`,
    at,
  }
}

describe('waits for emitted events in the run state', () => {
  const wf = workflow({
    a: { action: 'wait-for-event', params: { event: 'tick', match: 'true' } },
    b: { action: 'wait-for-event', params: { event: 'tick', match: 'true' } },
    c: { action: 'wait-for-event', params: { event: 'other' } },
  })

  it('lists the open waits with a match in definition order, and their types', () => {
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.waiting', taskId: 'b', wait: matchWait('tick'), at: 20 })
    feed({ type: 'task.waiting', taskId: 'a', wait: matchWait('tick'), at: 21 })
    feed({ type: 'task.waiting', taskId: 'c', signal: 'other', at: 22 })
    expect(openEventWaits(s, wf).map((w) => w.taskId)).toEqual(['a', 'b'])
    expect(eventWaitTypes(s, wf)).toEqual(['tick'])
  })

  it('takes one event once per run: a second wait, or a replayed completion, is refused', () => {
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.waiting', taskId: 'a', wait: matchWait('tick'), at: 20 })
    feed({ type: 'task.waiting', taskId: 'b', wait: matchWait('tick'), at: 20 })
    expect(can(s, taking('a', 'e1', 30))).toBe(true)
    feed(taking('a', 'e1', 30))
    expect(s.tasks.a!.status).toBe('completed')
    expect(s.tasks.a!.wait).toBeUndefined()
    expect(can(s, taking('b', 'e1', 31))).toBe(false)
    expect(can(s, taking('a', 'e2', 31))).toBe(false)
    // An event of another type, or a task that waits for signals only, takes nothing.
    expect(can(s, { ...taking('b', 'x', 31), emitted: 'other\u0000x' } as RunEvent)).toBe(false)
    expect(can(s, taking('c', 'e2', 31))).toBe(false)
    expect(can(s, taking('b', 'e2', 31))).toBe(true)
    expect(eventWaitTypes(s, wf)).toEqual(['tick'])
  })

  it('forgets a taken event once it is older than the log keeps', () => {
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.waiting', taskId: 'a', wait: matchWait('tick'), at: 20 })
    feed({ type: 'task.waiting', taskId: 'b', wait: matchWait('tick'), at: 20 })
    feed(taking('a', 'e1', 30))
    expect(Object.keys(s.consumedEvents!)).toEqual(['tick\u0000e1'])
    feed(taking('b', 'e2', 30 + EVENT_LOG_TTL_MS))
    expect(Object.keys(s.consumedEvents!)).toEqual(['tick\u0000e2'])
    expect(eventWaitTypes(s, wf)).toBeUndefined()
  })
})
