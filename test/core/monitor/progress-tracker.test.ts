import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeProgress } from '../../../src/core/monitor/progress'
import { ProgressTracker } from '../../../src/core/monitor/progress-tracker'
import type { Progress, TaskStatus, WorkflowEvent } from '../../../src/types'
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
const names = new Map([['t1', 'Second']])

const taskEvent = (taskId: string): WorkflowEvent => ({
  runId: 'run-1',
  seq: 1,
  at: 0,
  type: 'task.log',
  taskId,
  message: '',
})

describe('ProgressTracker', () => {
  it('gives what computeProgress gives, after any changes noted task by task or run-wide', () => {
    const change = fc.record({
      task: fc.integer({ min: 0, max: 5 }),
      status: fc.constantFrom(...STATUSES),
      attempts: fc.integer({ min: 0, max: 3 }),
      runMs: fc.integer({ min: 0, max: 500 }),
      startedAt: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
      continued: fc.boolean(),
      runWide: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 4 }), { maxLength: 30 }), (bursts) => {
        const tasks = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`t${i}`, taskState()]))
        const state = runState(tasks)
        const tracker = new ProgressTracker(names)
        const emitted: [Progress, Progress][] = []
        for (const burst of bursts) {
          for (const c of burst) {
            const { task, runWide, ...fields } = c
            Object.assign(state.tasks[`t${task}`]!, fields)
            tracker.note(
              runWide ? { runId: 'run-1', seq: 1, at: 0, type: 'workflow.resumed' } : taskEvent(`t${task}`),
            )
          }
          const value = tracker.progress(state, 800)
          emitted.push([value, structuredClone(value)])
          expect(value).toEqual(computeProgress(state, names, 800))
        }
        // Values handed out earlier were not changed by later updates.
        for (const [value, copy] of emitted) expect(value).toEqual(copy)
      }),
      { numRuns: 200 },
    )
  })

  it('reads every task again after invalidate() and when the run status changes', () => {
    const state = runState({ a: taskState(), b: taskState() })
    const tracker = new ProgressTracker()
    tracker.progress(state)
    state.tasks.a!.status = 'completed'
    expect(tracker.progress(state).completed).toBe(0)
    tracker.invalidate()
    expect(tracker.progress(state).completed).toBe(1)
    state.tasks.b!.status = 'cancelled'
    state.status = 'cancelled'
    expect(tracker.progress(state)).toEqual(computeProgress(state))
  })

  it('reads every task of a new state object (a run restored again)', () => {
    const tracker = new ProgressTracker()
    tracker.progress(runState({ a: taskState(), b: taskState() }))
    const restored = runState({ a: taskState({ status: 'completed' }), b: taskState() })
    expect(tracker.progress(restored)).toEqual(computeProgress(restored))
  })
})
