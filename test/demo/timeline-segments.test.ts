import type { WorkflowDefinition, WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { checkpointsFrom, segmentsFrom } from '../../demo/timeline-segments'

let seq = 0
const at = (time: number, event: Record<string, unknown>) =>
  ({ runId: 'r', seq: ++seq, at: time, ...event }) as unknown as WorkflowEvent

const definition: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'd',
  version: '1.0.0',
  tasks: { a: { action: 'x' }, b: { action: 'y', dependsOn: ['a'] } },
}

describe('the studio timeline', () => {
  it('splits each task into queued, running, back-off and waiting segments', () => {
    const segments = segmentsFrom(
      [
        at(0, { type: 'workflow.started', definitionId: 'd', version: '1.0.0' }),
        at(0, { type: 'task.started', taskId: 'a', attempt: 1 }),
        at(100, { type: 'task.failed', taskId: 'a', attempt: 1, error: { code: 'X', message: 'x' } }),
        at(100, { type: 'task.retrying', taskId: 'a', attempt: 1, delayMs: 50 }),
        at(150, { type: 'task.started', taskId: 'a', attempt: 2 }),
        at(200, { type: 'task.completed', taskId: 'a', attempt: 2 }),
        at(230, { type: 'task.started', taskId: 'b', attempt: 1 }),
        at(240, { type: 'task.waiting', taskId: 'b', signal: 'go' }),
        at(400, { type: 'task.completed', taskId: 'b', attempt: 1 }),
        at(400, { type: 'workflow.completed' }),
      ],
      definition,
    )
    expect(segments.map((s) => [s.taskId, s.attempt, s.kind, s.from, s.to])).toEqual([
      ['a', 1, 'running', 0, 100],
      ['a', 1, 'backoff', 100, 150],
      ['a', 2, 'running', 150, 200],
      ['b', 1, 'queued', 200, 230],
      ['b', 1, 'running', 230, 240],
      ['b', 1, 'waiting', 240, 400],
    ])
  })

  it('leaves a segment open while it lasts and closes it when the run ends', () => {
    const running = segmentsFrom(
      [
        at(0, { type: 'workflow.started', definitionId: 'd', version: '1.0.0' }),
        at(10, { type: 'task.started', taskId: 'a', attempt: 1 }),
      ],
      definition,
    )
    expect(running).toEqual([
      { taskId: 'a', attempt: 1, kind: 'queued', from: 0, to: 10 },
      { taskId: 'a', attempt: 1, kind: 'running', from: 10 },
    ])
    const cancelled = segmentsFrom(
      [
        at(0, { type: 'workflow.started', definitionId: 'd', version: '1.0.0' }),
        at(10, { type: 'task.started', taskId: 'a', attempt: 1 }),
        at(50, { type: 'workflow.cancelled', reason: 'x' }),
      ],
      definition,
    )
    expect(cancelled[1]).toMatchObject({ kind: 'running', to: 50 })
  })

  it('marks the checkpoints: the start, each task completion, each saved one; not rolled-back ones', () => {
    const marks = checkpointsFrom([
      at(0, { type: 'workflow.started', definitionId: 'd', version: '1.0.0' }),
      at(5, { type: 'task.completed', taskId: 'a', attempt: 1 }),
      at(6, { type: 'checkpoint.saved', checkpointId: 'r:c', reason: 'by hand' }),
      at(7, { type: 'task.completed', taskId: 'b', attempt: 1, rolledBack: true }),
    ])
    expect(marks.map((m) => [m.at, m.label])).toEqual([
      [0, 'start'],
      [5, 'after a'],
      [6, 'by hand'],
    ])
  })
})
