import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeHealth } from '../../../src/core/monitor/health'
import { HealthTracker } from '../../../src/core/monitor/health-tracker'
import type { TaskStatus, WorkflowEvent } from '../../../src/types'
import { runState, taskState } from './run-state'

const STATUSES: TaskStatus[] = [
  'pending',
  'running',
  'waiting',
  'retrying',
  'completed',
  'failed',
  'skipped',
  'cancelled',
]
const time = fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined })
const noChildren = () => []
const taskEvent = (type: string, taskId: string) =>
  ({ runId: 'run-1', seq: 1, at: 0, type, taskId }) as unknown as WorkflowEvent

describe('HealthTracker', () => {
  it('gives what computeHealth gives, after any changes noted task by task, paused or not, clock behind or not', () => {
    const change = fc.record({
      task: fc.integer({ min: 0, max: 5 }),
      status: fc.constantFrom(...STATUSES),
      attempts: fc.integer({ min: 0, max: 4 }),
      failedAttempts: fc.integer({ min: 0, max: 4 }),
      runMs: fc.integer({ min: 0, max: 500 }),
      queueMs: fc.integer({ min: 0, max: 500 }),
      startedAt: time,
      readyAt: time,
      endedAt: time,
    })
    const burst = fc.record({
      changes: fc.array(change, { maxLength: 4 }),
      pausedAt: time,
      runWide: fc.boolean(),
      now: fc.integer({ min: 0, max: 3000 }),
    })
    fc.assert(
      fc.property(fc.array(burst, { maxLength: 30 }), (bursts) => {
        const tasks = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`t${i}`, taskState()]))
        const state = runState(tasks, { startedAt: 0, expectedDurationMs: 800 })
        const tracker = new HealthTracker(noChildren)
        for (const b of bursts) {
          for (const { task, ...fields } of b.changes) {
            Object.assign(state.tasks[`t${task}`]!, fields)
            tracker.note(taskEvent('task.log', `t${task}`))
          }
          state.pausedAt = b.pausedAt
          if (b.runWide) tracker.note({ runId: 'run-1', seq: 1, at: 0, type: 'workflow.resumed' })
          expect(tracker.health(state, b.now)).toEqual(computeHealth(state, b.now))
        }
      }),
      { numRuns: 300 },
    )
  })

  it("reads a settled task's dependents: their waits start", () => {
    const state = runState({
      a: taskState({ status: 'running', attempts: 1, startedAt: 0 }),
      b: taskState({ deps: 1 }),
    })
    const tracker = new HealthTracker((id) => (id === 'a' ? ['b'] : []))
    tracker.health(state, 0)
    Object.assign(state.tasks.a!, { status: 'completed', runMs: 100, endedAt: 100 })
    Object.assign(state.tasks.b!, { deps: 0, readyAt: 100 })
    tracker.note(taskEvent('task.completed', 'a'))
    expect(tracker.health(state, 300)).toEqual(computeHealth(state, 300))
    expect(tracker.health(state, 300).parts.efficiency).toBeCloseTo(100 / 3)
  })
})
