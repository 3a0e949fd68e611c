import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import { aggregateHealth, computeHealth, healthLevel } from '../../../src/core/monitor/health'
import { SpindleError } from '../../../src/errors'

import type { Health, TaskState, TaskStatus } from '../../../src/types'
import { runState, taskState } from './run-state'

const idle = { a: taskState() }

/** A run that started at 0, expected to take 1,000 ms. */
function timed(fields: Parameters<typeof runState>[1]) {
  return runState(idle, { startedAt: 0, expectedDurationMs: 1000, ...fields })
}

describe('computeHealth: time', () => {
  it('is 100 without an expected duration or before the run starts', () => {
    expect(computeHealth(runState(idle, { startedAt: 0 }), 1e9).parts.time).toBe(100)
    expect(computeHealth(runState(idle, { expectedDurationMs: 1000 }), 1e9).parts.time).toBe(100)
  })

  it('is 100 up to exactly the expected duration, then falls linearly to 0 at 3×', () => {
    expect(computeHealth(timed({}), 500).parts.time).toBe(100)
    expect(computeHealth(timed({}), 1000).parts.time).toBe(100)
    expect(computeHealth(timed({}), 1500).parts.time).toBe(75)
    expect(computeHealth(timed({}), 2000).parts.time).toBe(50)
    expect(computeHealth(timed({}), 2500).parts.time).toBe(25)
    expect(computeHealth(timed({}), 3000).parts.time).toBe(0)
    expect(computeHealth(timed({}), 10_000).parts.time).toBe(0)
  })

  it('leaves out time spent paused, including the pause going on now', () => {
    expect(computeHealth(timed({ pausedMs: 1000 }), 2000).parts.time).toBe(100)
    expect(computeHealth(timed({ pausedAt: 1500 }), 3000).parts.time).toBe(75)
    expect(computeHealth(timed({ pausedMs: 500, pausedAt: 2000 }), 9000).parts.time).toBe(75)
  })

  it('stops the clock when the run ends', () => {
    expect(computeHealth(timed({ endedAt: 1000 }), 1e9).parts.time).toBe(100)
    expect(computeHealth(timed({ endedAt: 2000 }), 1e9).parts.time).toBe(50)
    expect(computeHealth(timed({ pausedAt: 1000, endedAt: 5000 }), 1e9).parts.time).toBe(100)
  })
})

describe('computeHealth: success', () => {
  it('is 100 until a task finishes', () => {
    const state = runState({ a: taskState({ status: 'running', attempts: 1, startedAt: 0 }), b: taskState() })
    expect(computeHealth(state, 0).parts.success).toBe(100)
  })

  it('is completed / (completed + failed), leaving out skipped and cancelled tasks', () => {
    const state = runState({
      a: taskState({ status: 'completed' }),
      b: taskState({ status: 'completed' }),
      c: taskState({ status: 'completed' }),
      d: taskState({ status: 'failed' }),
      e: taskState({ status: 'skipped' }),
      f: taskState({ status: 'cancelled' }),
    })
    expect(computeHealth(state, 0).parts.success).toBe(75)
    expect(computeHealth(runState({ a: taskState({ status: 'skipped' }) }), 0).parts.success).toBe(100)
    expect(computeHealth(runState({ a: taskState({ status: 'failed' }) }), 0).parts.success).toBe(0)
  })

  it('counts a failure the run continued past as a failure', () => {
    const state = runState({
      a: taskState({ status: 'completed' }),
      b: taskState({ status: 'failed', continued: true }),
    })
    expect(computeHealth(state, 0).parts.success).toBe(50)
  })
})

describe('computeHealth: errors', () => {
  it('is 100 when nothing has been attempted', () => {
    expect(computeHealth(runState({ a: taskState(), b: taskState() }), 0).parts.errors).toBe(100)
  })

  it('is 1 − failed attempts / attempts over all tasks', () => {
    const state = runState({
      a: taskState({ status: 'completed', attempts: 3, failedAttempts: 1 }),
      b: taskState({ status: 'completed', attempts: 1 }),
    })
    expect(computeHealth(state, 0).parts.errors).toBe(75)
    const allFailed = runState({ a: taskState({ status: 'failed', attempts: 3, failedAttempts: 3 }) })
    expect(computeHealth(allFailed, 0).parts.errors).toBe(0)
  })
})

describe('computeHealth: efficiency', () => {
  it('is 100 when no time was spent running or queued', () => {
    expect(computeHealth(runState({ a: taskState({ status: 'completed' }) }), 0).parts.efficiency).toBe(100)
  })

  it('is run time / (run time + queue time) over finished attempts', () => {
    const state = runState({
      a: taskState({ status: 'completed', runMs: 200, queueMs: 100 }),
      b: taskState({ status: 'completed', runMs: 100 }),
    })
    expect(computeHealth(state, 0).parts.efficiency).toBe(75)
    expect(computeHealth(runState({ a: taskState({ queueMs: 50 }) }), 0).parts.efficiency).toBe(0)
  })

  it('adds the current attempt of a running task as run time', () => {
    const state = runState({
      a: taskState({ status: 'running', attempts: 1, startedAt: 1000 }),
      b: taskState({ status: 'completed', queueMs: 100 }),
    })
    expect(computeHealth(state, 1300).parts.efficiency).toBe(75)
  })

  it('adds the wait of a ready pending task as queue time, once it has not started since', () => {
    const completed = taskState({ status: 'completed', runMs: 300 })
    const ready = taskState({ readyAt: 1000 })
    expect(computeHealth(runState({ completed, ready }), 1100).parts.efficiency).toBe(75)
    const requeued = taskState({ readyAt: 1000, startedAt: 400 })
    expect(computeHealth(runState({ completed, requeued }), 1100).parts.efficiency).toBe(75)
    const notReady = taskState()
    expect(computeHealth(runState({ completed, notReady }), 1100).parts.efficiency).toBe(100)
    const startedSince = taskState({ readyAt: 1000, startedAt: 1000 })
    expect(computeHealth(runState({ completed, startedSince }), 1100).parts.efficiency).toBe(100)
  })

  it('adds the back-off of a retrying task as queue time, from the later of readyAt and endedAt', () => {
    const completed = taskState({ status: 'completed', runMs: 300 })
    const base = { status: 'retrying', attempts: 1, failedAttempts: 1 } as const
    const fromReady = taskState({ ...base, readyAt: 1000 })
    expect(computeHealth(runState({ completed, fromReady }), 1100).parts.efficiency).toBe(75)
    const fromEnd = taskState({ ...base, readyAt: 500, endedAt: 1000 })
    expect(computeHealth(runState({ completed, fromEnd }), 1100).parts.efficiency).toBe(75)
    const onlyEnd = taskState({ ...base, endedAt: 1000 })
    expect(computeHealth(runState({ completed, onlyEnd }), 1100).parts.efficiency).toBe(75)
    const unknown = taskState({ ...base })
    expect(computeHealth(runState({ completed, unknown }), 1100).parts.efficiency).toBe(100)
  })

  it('stops the waits of ready and retrying tasks while the run is paused', () => {
    const completed = taskState({ status: 'completed', runMs: 300 })
    const ready = taskState({ readyAt: 1000 })
    const retrying = taskState({ status: 'retrying', attempts: 1, failedAttempts: 1, readyAt: 1000 })
    const paused = { status: 'paused', pausedAt: 1050 } as const
    expect(computeHealth(runState({ completed, ready }, paused), 1e9).parts.efficiency).toBe(
      (100 * 300) / 350,
    )
    expect(computeHealth(runState({ completed, retrying }, paused), 1e9).parts.efficiency).toBe(
      (100 * 300) / 350,
    )
    // A task that became ready during the pause has not waited yet.
    const late = taskState({ readyAt: 2000 })
    expect(computeHealth(runState({ completed, late }, paused), 1e9).parts.efficiency).toBe(100)
  })

  it('counts no negative time when the clock is behind a timestamp', () => {
    const state = runState({
      a: taskState({ status: 'running', attempts: 1, startedAt: 2000, runMs: 100 }),
      b: taskState({ readyAt: 2000, queueMs: 100 }),
    })
    expect(computeHealth(state, 1000).parts.efficiency).toBe(50)
  })
})

describe('computeHealth: score and level', () => {
  /** Elapsed 3× the expected duration: the time part is 0. */
  const late = { startedAt: 0, expectedDurationMs: 1000 }
  const at = 3000

  it('is 100 and healthy for a run where nothing went wrong', () => {
    const health = computeHealth(
      runState({ a: taskState({ status: 'completed', attempts: 1, runMs: 5 }) }),
      0,
    )
    expect(health).toEqual({
      runId: 'run-1',
      score: 100,
      level: 'healthy',
      parts: { time: 100, success: 100, errors: 100, efficiency: 100 },
    })
  })

  it('weighs time 0.3, success 0.3, errors 0.25 and efficiency 0.15', () => {
    expect(computeHealth(runState(idle, late), at).score).toBe(70)
    expect(computeHealth(runState({ a: taskState({ status: 'failed' }) }), 0).score).toBe(70)
    expect(computeHealth(runState({ a: taskState({ attempts: 1, failedAttempts: 1 }) }), 0).score).toBe(75)
    expect(computeHealth(runState({ a: taskState({ queueMs: 10 }) }), 0).score).toBe(85)
    expect(computeHealth(runState(idle, late), 2000).score).toBe(85)
  })

  it('rounds the score to a whole number and keeps the parts exact', () => {
    const state = runState({ a: taskState({ status: 'completed', attempts: 3, failedAttempts: 1 }) })
    const health = computeHealth(state, 0)
    expect(health.parts.errors).toBeCloseTo(66.667, 3)
    expect(health.score).toBe(92)
  })

  it('is healthy at 70, warning at 69 and 50, critical at 49', () => {
    const tasks = (completed: number, failed: number, failedAttempts = 0): Record<string, TaskState> => {
      const out: Record<string, TaskState> = {}
      for (let i = 0; i < completed + failed; i++) {
        const status = i < completed ? 'completed' : 'failed'
        out[`t${i}`] = taskState({ status, attempts: 1 })
      }
      if (failedAttempts > 0) out.retried = taskState({ status: 'completed', attempts: 25, failedAttempts })
      return out
    }
    const seventy = computeHealth(runState(tasks(1, 0), late), at)
    expect([seventy.score, seventy.level]).toEqual([70, 'healthy'])
    // errors: 1 failed attempt out of 26 → 96.15 → 0.25 × 96.15 = 24.04; score 69.04.
    const sixtyNine = computeHealth(runState(tasks(0, 0, 1), late), at)
    expect([sixtyNine.score, sixtyNine.level]).toEqual([69, 'warning'])
    const fifty = computeHealth(runState(tasks(1, 2), late), at)
    expect([fifty.score, fifty.level]).toEqual([50, 'warning'])
    const fortyNine = computeHealth(runState(tasks(3, 7), late), at)
    expect([fortyNine.score, fortyNine.level]).toEqual([49, 'critical'])
  })

  it('rejects a now that is not a finite number', () => {
    const attempt = () => computeHealth(runState(idle), Number.NaN)
    expect(attempt).toThrow(SpindleError)
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  it('keeps the score and every part within 0–100 for any task states', () => {
    const statuses: TaskStatus[] = [
      'pending',
      'running',
      'waiting',
      'retrying',
      'completed',
      'failed',
      'skipped',
      'cancelled',
    ]
    const time = fc.integer({ min: 0, max: 10_000 })
    const task = fc.record({
      status: fc.constantFrom(...statuses),
      attempts: fc.integer({ min: 0, max: 5 }),
      failed: fc.integer({ min: 0, max: 5 }),
      runMs: time,
      queueMs: time,
      readyAt: fc.option(time, { nil: undefined }),
      startedAt: fc.option(time, { nil: undefined }),
      endedAt: fc.option(time, { nil: undefined }),
    })
    const run = fc.record({
      tasks: fc.array(task, { maxLength: 20 }),
      startedAt: fc.option(time, { nil: undefined }),
      expectedDurationMs: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
      pausedMs: fc.integer({ min: 0, max: 2000 }),
      now: time,
    })
    fc.assert(
      fc.property(run, (r) => {
        const tasks: Record<string, TaskState> = {}
        r.tasks.forEach((t, i) => {
          const attempts = Math.max(t.attempts, t.failed)
          tasks[`t${i}`] = taskState({ ...t, attempts, failedAttempts: t.failed })
        })
        const { now, ...fields } = r
        const health = computeHealth(runState(tasks, { ...fields, tasks }), now)
        expect(Number.isInteger(health.score)).toBe(true)
        for (const value of [health.score, ...Object.values(health.parts)]) {
          expect(value).toBeGreaterThanOrEqual(0)
          expect(value).toBeLessThanOrEqual(100)
        }
        expect(health.level).toBe(healthLevel(health.score))
      }),
    )
  })

  it('computes a 10,000-task run', () => {
    const tasks: Record<string, TaskState> = {}
    for (let i = 0; i < 10_000; i++) {
      tasks[`t${i}`] =
        i % 2 === 0
          ? taskState({ status: 'completed', attempts: 1, runMs: 3 })
          : taskState({ status: 'pending', readyAt: 0 })
    }
    const health = computeHealth(runState(tasks), 3)
    expect(health.parts).toEqual({ time: 100, success: 100, errors: 100, efficiency: 50 })
    expect(health.score).toBe(93)
  })
})

describe('healthLevel', () => {
  it('puts 49 in critical, 50 and 69 in warning, 70 in healthy', () => {
    expect(healthLevel(0)).toBe('critical')
    expect(healthLevel(49)).toBe('critical')
    expect(healthLevel(49.9)).toBe('critical')
    expect(healthLevel(50)).toBe('warning')
    expect(healthLevel(69)).toBe('warning')
    expect(healthLevel(70)).toBe('healthy')
    expect(healthLevel(100)).toBe('healthy')
  })

  it('rejects a score that is not a finite number', () => {
    expect(() => healthLevel(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })
})

describe('aggregateHealth', () => {
  const health = (parts: Health['parts'], runId?: string): Health => ({
    ...(runId === undefined ? {} : { runId }),
    score: 0,
    level: 'critical',
    parts,
  })

  it('is 100 and healthy with no runs', () => {
    expect(aggregateHealth([])).toEqual({
      score: 100,
      level: 'healthy',
      parts: { time: 100, success: 100, errors: 100, efficiency: 100 },
    })
  })

  it('averages each part and weighs the averages into the score', () => {
    const engine = aggregateHealth([
      health({ time: 100, success: 100, errors: 100, efficiency: 100 }, 'a'),
      health({ time: 0, success: 0, errors: 100, efficiency: 100 }, 'b'),
    ])
    expect(engine).toEqual({
      score: 70,
      level: 'healthy',
      parts: { time: 50, success: 50, errors: 100, efficiency: 100 },
    })
    expect(Object.hasOwn(engine, 'runId')).toBe(false)
  })

  it('equals the mean of the runs’ unrounded scores', () => {
    const runs = [
      health({ time: 0, success: 0, errors: 0, efficiency: 0 }, 'a'),
      health({ time: 0, success: 0, errors: 100, efficiency: 100 }, 'b'),
      health({ time: 30, success: 30, errors: 100, efficiency: 100 }, 'c'),
    ]
    // Scores 0, 40, 58: mean 32.67.
    expect(aggregateHealth(runs)).toMatchObject({ score: 33, level: 'critical' })
  })

  it('is one run’s health, without its run id, for a single run', () => {
    const one = computeHealth(
      runState({ a: taskState({ status: 'failed', attempts: 1, failedAttempts: 1 }) }),
      0,
    )
    const { runId: _, ...rest } = one
    expect(aggregateHealth([one])).toEqual(rest)
  })
})
