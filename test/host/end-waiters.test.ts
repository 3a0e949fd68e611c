import { describe, expect, it } from 'vitest'
import { EndWaiters } from '../../src/host/end-waiters'
import type { WorkflowEvent } from '../../src/types'

function waiter() {
  const seen: string[] = []
  return { seen, ended: () => seen.push('ended'), closed: () => seen.push('closed') }
}

const ev = (type: string, runId: string) => ({ type, runId, at: 1 }) as unknown as WorkflowEvent

describe('EndWaiters', () => {
  it('tells the waiters of a run when an event ends that run, and no one else', () => {
    const waiters = new EndWaiters()
    const a1 = waiter()
    const a2 = waiter()
    const b = waiter()
    waiters.add('a', a1)
    waiters.add('a', a2)
    waiters.add('b', b)
    waiters.observe(ev('task.completed', 'a'))
    waiters.observe(ev('workflow.paused', 'a'))
    expect(a1.seen).toEqual([])
    waiters.observe(ev('workflow.failed', 'a'))
    expect(a1.seen).toEqual(['ended'])
    expect(a2.seen).toEqual(['ended'])
    expect(b.seen).toEqual([])
    for (const type of ['workflow.completed', 'workflow.cancelled']) waiters.observe(ev(type, 'b'))
    expect(b.seen).toEqual(['ended', 'ended'])
  })

  it('stops telling a waiter that stopped waiting', () => {
    const waiters = new EndWaiters()
    const a = waiter()
    const stop = waiters.add('a', a)
    stop()
    stop()
    waiters.observe(ev('workflow.completed', 'a'))
    waiters.close()
    expect(a.seen).toEqual([])
  })

  it('tells every waiter when the engine closes, and says it is closed afterwards', () => {
    const waiters = new EndWaiters()
    const a = waiter()
    const b = waiter()
    waiters.add('a', a)
    waiters.add('b', b)
    expect(waiters.closed).toBe(false)
    waiters.close()
    expect(waiters.closed).toBe(true)
    expect([a.seen, b.seen]).toEqual([['closed'], ['closed']])
  })
})
