import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

const open = testEngines()

/** a, compensated by `undo` (held open by the test). */
const booked = def({ a: { action: 'noop', compensate: { action: 'undo' } } })

describe('purge racing a rollback in another tab', () => {
  it('does not delete a run a rollback holds; the rollback commits onto the whole run', async () => {
    const store = memoryStore()
    const undo = controllable()
    const { engine: tab } = open({ store, actions: { undo: undo.handler } })
    const { engine: leader } = open({ store })
    await tab.register(booked)
    await tab.start('wf', {}, { runId: 'r1' })
    expect((await tab.wait('r1')).status).toBe('completed')
    // The rollback has read the run and holds it while the compensation runs.
    const rolling = tab.rollback('r1', 'r1:0')
    await until(() => undo.calls.length === 1)
    expect(await leader.purge({ status: ['completed'] })).toBe(0)
    undo.calls[0]!.resolve(null)
    await rolling
    const view = (await tab.getRun('r1'))!
    expect(view.status).toBe('paused')
    const history = await tab.history('r1')
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
    expect(history.at(-1)).toMatchObject({ type: 'workflow.rolled-back' })
    expect(await store.getRun('r1')).toMatchObject({ status: 'paused' })
  })
})
