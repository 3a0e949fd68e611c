import type { EngineEvent, WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { EventBatcher } from '../../worker/event-batcher'

const event = (seq: number, extra: Record<string, unknown> = {}): WorkflowEvent =>
  ({ type: 'task.log', runId: 'r', seq, at: seq, taskId: 't', message: `m${seq}`, ...extra }) as WorkflowEvent

/** Resolves after the tasks already queued (the batcher flushes in the next task). */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('EventBatcher', () => {
  it('sends the events of one task together, at the start of the next', async () => {
    const sent: number[][] = []
    const batcher = new EventBatcher((events) => sent.push(events.map((e) => (e as WorkflowEvent).seq)))
    for (let seq = 1; seq <= 3; seq++) batcher.push(event(seq))
    expect(sent).toEqual([])
    await nextTask()
    expect(sent).toEqual([[1, 2, 3]])
    batcher.push(event(4))
    await nextTask()
    expect(sent).toEqual([[1, 2, 3], [4]])
  })

  it('sends a full batch at once and keeps the order', async () => {
    const sent: number[][] = []
    const batcher = new EventBatcher((events) => sent.push(events.map((e) => (e as WorkflowEvent).seq)), 4)
    for (let seq = 1; seq <= 10; seq++) batcher.push(event(seq))
    expect(sent).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ])
    await nextTask()
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('sends an event that cannot be cloned as JSON rather than losing the batch', async () => {
    const { port1, port2 } = new MessageChannel()
    const received = new Promise<WorkflowEvent[]>((resolve) => {
      port2.onmessage = ({ data }) => resolve(data)
    })
    const batcher = new EventBatcher((events) => port1.postMessage(events))
    batcher.push(event(1))
    batcher.push(event(2, { output: { keep: 1, drop: () => 1 } }))
    batcher.push(event(3))
    await nextTask()
    const events = await received
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3])
    expect((events[1] as { output?: unknown }).output).toEqual({ keep: 1 })
    port1.close()
    port2.close()
  })

  it('drops what is buffered once closed', async () => {
    const sent: EngineEvent[][] = []
    const batcher = new EventBatcher((events) => sent.push(events))
    batcher.push(event(1))
    batcher.close()
    batcher.push(event(2))
    await nextTask()
    expect(sent).toEqual([])
  })
})
