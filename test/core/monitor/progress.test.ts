import { describe, expect, it } from 'vitest'

import { computeProgress } from '../../../src/core/monitor/progress'
import { SpindleError } from '../../../src/errors'

import { runState, taskState } from './run-state'

describe('computeProgress', () => {
  it('counts completed, skipped and continued-past failures as done', () => {
    const state = runState({
      a: taskState({ status: 'completed', attempts: 1 }),
      b: taskState({ status: 'skipped' }),
      c: taskState({ status: 'failed', attempts: 2, failedAttempts: 2, continued: true }),
      d: taskState({ status: 'failed', attempts: 1, failedAttempts: 1 }),
      e: taskState({ status: 'cancelled' }),
      f: taskState({ status: 'pending' }),
      g: taskState({ status: 'waiting', attempts: 1 }),
      h: taskState({ status: 'retrying', attempts: 1, failedAttempts: 1 }),
    })
    const progress = computeProgress(state)
    expect(progress.completed).toBe(3)
    expect(progress.total).toBe(8)
    expect(progress.percent).toBe(37)
    expect(progress.runId).toBe('run-1')
    expect(progress.status).toBe('running')
  })

  it('rounds the percentage down, so 100 means every task is done', () => {
    const tasks: Record<string, ReturnType<typeof taskState>> = {}
    for (let i = 0; i < 1000; i++) tasks[`t${i}`] = taskState({ status: i < 999 ? 'completed' : 'running' })
    expect(computeProgress(runState(tasks)).percent).toBe(99)
    tasks.t999 = taskState({ status: 'completed' })
    expect(computeProgress(runState(tasks)).percent).toBe(100)
  })

  it('gives exact whole percentages where floating point would fall short', () => {
    const tasks: Record<string, ReturnType<typeof taskState>> = {}
    for (let i = 0; i < 100; i++) tasks[`t${i}`] = taskState({ status: i < 29 ? 'completed' : 'pending' })
    expect(computeProgress(runState(tasks)).percent).toBe(29)
  })

  it('reports 0 for a run that has not begun and 100 for an empty run', () => {
    expect(computeProgress(runState({ a: taskState(), b: taskState() })).percent).toBe(0)
    const empty = computeProgress(runState({}))
    expect(empty).toMatchObject({ completed: 0, total: 0, percent: 100, running: [], tasks: [] })
  })

  it('lists running tasks with their names and start times', () => {
    const state = runState({
      fetch: taskState({ status: 'running', attempts: 1, startedAt: 1000 }),
      check: taskState({ status: 'running', attempts: 1, startedAt: 1500 }),
      load: taskState({ status: 'pending' }),
    })
    const names = new Map<string, string | undefined>([
      ['fetch', 'Fetch order'],
      ['check', undefined],
    ])
    expect(computeProgress(state, names).running).toEqual([
      { id: 'fetch', name: 'Fetch order', startedAt: 1000 },
      { id: 'check', startedAt: 1500 },
    ])
    expect(Object.hasOwn(computeProgress(state, names).running[1]!, 'name')).toBe(false)
    expect(computeProgress(state).running.map((r) => r.id)).toEqual(['fetch', 'check'])
  })

  it('gives every task with its duration, adding the current attempt of a running task when now is given', () => {
    const state = runState({
      a: taskState({ status: 'completed', attempts: 2, failedAttempts: 1, runMs: 300 }),
      b: taskState({ status: 'running', attempts: 2, failedAttempts: 1, runMs: 100, startedAt: 5000 }),
      c: taskState({ status: 'retrying', attempts: 1, failedAttempts: 1, runMs: 40, readyAt: 5100 }),
    })
    expect(computeProgress(state, undefined, 5250).tasks).toEqual([
      { id: 'a', status: 'completed', attempts: 2, durationMs: 300 },
      { id: 'b', status: 'running', attempts: 2, durationMs: 350 },
      { id: 'c', status: 'retrying', attempts: 1, durationMs: 40 },
    ])
    expect(computeProgress(state).tasks[1]!.durationMs).toBe(100)
  })

  it('never lets a clock behind the start time shorten a duration', () => {
    const state = runState({ a: taskState({ status: 'running', attempts: 1, runMs: 10, startedAt: 2000 }) })
    expect(computeProgress(state, undefined, 1990).tasks[0]!.durationMs).toBe(10)
  })

  it('rejects a now that is not a finite number', () => {
    const state = runState({ a: taskState() })
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const attempt = () => computeProgress(state, undefined, bad)
      expect(attempt).toThrow(SpindleError)
      expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', value: bad }))
    }
  })
})
