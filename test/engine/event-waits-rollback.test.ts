import { describe, expect, it } from 'vitest'
import { def, testEngines } from '../support/engine-fixtures'

/** `paid` waits for an emitted event; `go`, beside it, for a signal: its completion is a checkpoint. */
const waiter = def(
  {
    paid: {
      action: 'wait-for-event',
      params: { event: 'order.paid', match: 'event.data.orderId == input.orderId' },
    },
    go: { action: 'wait-for-event', params: { event: 'go' } },
  },
  { params: { orderId: { type: 'string', required: true } } },
)

describe('wait-for-event with match and rollback', () => {
  const testEngine = testEngines()

  it('a run rolled back to a checkpoint where it waits reads the log again and takes the event it gave back', async () => {
    const { engine } = testEngine()
    await engine.register(waiter)
    const run = await engine.start('wf', { orderId: 'A' })
    await engine.idle()
    await engine.signal(run.runId, 'go')
    await engine.idle()
    const checkpoint = (await engine.checkpoints(run.runId)).find((c) => c.reason === 'task go completed')!
    expect(checkpoint).toBeDefined()
    await engine.emit({ type: 'order.paid', data: { orderId: 'A' }, id: 'e1' })
    expect((await engine.wait(run.runId)).status).toBe('completed')

    await engine.rollback(run.runId, checkpoint.checkpointId)
    await engine.idle()
    // Rolled back runs stay paused until resumed.
    expect((await engine.getRun(run.runId))!.status).toBe('paused')
    await engine.resume(run.runId)
    await engine.idle()
    const done = await engine.getRun(run.runId)
    expect(done!.status).toBe('completed')
    expect(done!.output).toMatchObject({ paid: { id: 'e1' } })
  })
})
