import { describe, expect, it } from 'vitest'
import { childRuns } from '../../../src/core/reducer/child-runs'
import { can } from '../../../src/core/run-state'
import { chain, fed, startedRun, types, workflow } from './reducer-fixtures'

const started = (taskId: string, childRunId: string, extra: Record<string, unknown> = {}) =>
  ({
    type: 'child.started',
    taskId,
    childRunId,
    workflow: 'kid',
    version: '1.0.0',
    ...extra,
    at: 15,
  }) as const

describe('child runs', () => {
  it('child.started links the child once; child.completed completes the waiting task with its output', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 12 })
    expect(can(s, started('a', 'r1/a'))).toBe(true)
    feed(started('a', 'r1/a'))
    feed(started('a', 'r1/a'))
    expect(s.children).toEqual([{ runId: 'r1/a', taskId: 'a' }])
    const ended = { type: 'child.completed', taskId: 'a', childRunId: 'r1/a', output: 7, at: 30 } as const
    // Not before the task waits for it: the host reads it again from the store then.
    expect(can(s, ended)).toBe(false)
    feed({ type: 'task.waiting', taskId: 'a', wait: { kind: 'child', runId: 'r1/a' }, at: 20 })
    expect(can(s, { ...ended, childRunId: 'r1/other' })).toBe(false)
    expect(can(s, ended)).toBe(true)
    const step = feed(ended)
    expect(types(step)).toEqual(['child.completed', 'task.completed', 'task.started'])
    expect(step.records[1]).toMatchObject({ output: 7 })
    expect(s.tasks.a!.status).toBe('completed')
  })

  it('child.failed fails the attempt with CHILD_FAILED, the child error as cause, and retries it', () => {
    const wf = workflow({ a: { action: 'subworkflow', retry: { maxAttempts: 2, initialDelayMs: 100 } } })
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 12 })
    feed(started('a', 'r1/a', { onParentCancel: 'abandon' }))
    expect(s.children).toEqual([{ runId: 'r1/a', taskId: 'a', abandon: true }])
    feed({ type: 'task.waiting', taskId: 'a', wait: { kind: 'child', runId: 'r1/a' }, at: 20 })
    const error = { code: 'TASK_FAILED', message: 'Task "x" failed: boom' }
    const step = feed({ type: 'child.failed', taskId: 'a', childRunId: 'r1/a', error, rand: 0.5, at: 30 })
    expect(types(step)).toEqual(['child.failed', 'task.failed', 'task.retrying'])
    expect(step.records[1]).toMatchObject({ error: { code: 'CHILD_FAILED', cause: error }, final: false })
    expect(s.tasks.a).toMatchObject({ status: 'retrying', wait: { kind: 'backoff' } })
  })

  it('under forEach, a child ends its own item; the task completes once none waits', () => {
    const wf = workflow({ a: { action: 'subworkflow', forEach: '[1, 2]' } })
    const { s, feed } = startedRun(wf)
    feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 12 })
    const items = [0, 1].map((index) => ({
      index,
      wait: { kind: 'child' as const, runId: `r1/a[${index}]` },
    }))
    feed({ type: 'task.waiting', taskId: 'a', items, count: 2, at: 20 })
    const second = {
      type: 'child.completed',
      taskId: 'a',
      index: 1,
      childRunId: 'r1/a[1]',
      output: 'b',
      at: 30,
    } as const
    expect(can(s, { ...second, index: 0 })).toBe(false)
    expect(types(feed(second))).toEqual(['child.completed', 'task.item-completed'])
    const first = {
      type: 'child.completed',
      taskId: 'a',
      index: 0,
      childRunId: 'r1/a[0]',
      output: 'a',
      at: 40,
    } as const
    expect(types(feed(first))).toEqual(['child.completed', 'task.item-completed', 'task.completed'])
    expect(s.tasks.a!.status).toBe('completed')
  })
})

describe('child.started', () => {
  it('is taken for any task of an open or failed run, so a later cancel reaches the child; not once cancelled', () => {
    const { s, feed } = startedRun(chain())
    feed({ type: 'task.started', taskId: 'a', attempt: 1, at: 12 })
    feed({ type: 'workflow.failed', error: { code: 'TASK_FAILED', message: 'x' }, at: 13 })
    expect(s.tasks.a!.status).toBe('cancelled')
    expect(can(s, started('a', 'r1/a'))).toBe(true)
    expect(can(s, started('nope', 'r1/nope'))).toBe(false)
    feed({ type: 'workflow.cancelled', at: 14 })
    expect(can(s, started('a', 'r1/a'))).toBe(false)
  })
})

describe('the child-runs handlers', () => {
  it('are each exercised above', () => {
    expect([...fed].filter((type) => type in childRuns).sort()).toEqual(Object.keys(childRuns).sort())
  })
})
