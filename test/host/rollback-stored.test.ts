import { type Engine, memoryStore, type Store } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'

async function holdsLock(store: Store, runId: string): Promise<boolean> {
  const { held = [] } = await navigator.locks.query()
  return held.some((lock) => lock.name === `spindle:${store.name}:run:${runId}`)
}

/** a completes; b is held open by the test and undone by `undo`. */
const definition = def({
  a: { action: 'noop', compensate: { action: 'undo', params: { what: 'a' } } },
  b: { action: 'slow', dependsOn: ['a'], compensate: { action: 'undo', params: { what: 'b' } } },
})

describe('rollback of a run this engine does not execute', () => {
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  /** A run paused while b was in flight, then left by its engine: b is interrupted in the store. */
  async function storedPausedRun() {
    const store = memoryStore()
    const slow = controllable()
    const undone: string[] = []
    const actions = {
      slow: slow.handler,
      undo: (params: { what: string }) => {
        undone.push(params.what)
        return null
      },
    }
    const first = testEngine({ store, actions }).engine
    engines.push(first)
    await first.register(definition)
    await first.start('wf', {}, { runId: 'trip' })
    await first.idle()
    expect(slow.calls).toHaveLength(1)
    await first.pause('trip')
    await first.close()
    const second = testEngine({ store, actions }).engine
    engines.push(second)
    const before = { record: await store.getRun('trip'), journal: await store.readJournal('trip') }
    return { store, slow, undone, first, second, before, actions }
  }

  it('refuses an unknown checkpoint of a stored paused run without taking it over or re-running its task', async () => {
    const { store, slow, undone, second, before } = await storedPausedRun()
    await expect(second.rollback('trip', 'trip:99')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await second.idle()
    expect(slow.calls).toHaveLength(1)
    expect(undone).toEqual([])
    expect(await store.getRun('trip')).toEqual(before.record)
    expect(await store.readJournal('trip')).toEqual(before.journal)
    expect(await holdsLock(store, 'trip')).toBe(false)
  })

  it('refuses a run another engine executes, and that engine carries on', async () => {
    const store = memoryStore()
    const slow = controllable()
    const actions = { slow: slow.handler, undo: () => null }
    const first = testEngine({ store, actions }).engine
    const second = testEngine({ store, actions }).engine
    engines.push(first, second)
    await first.register(definition)
    await first.start('wf', {}, { runId: 'trip' })
    await first.idle()
    const [afterA] = await first.checkpoints('trip')
    const before = { record: await store.getRun('trip'), journal: await store.readJournal('trip') }
    await expect(second.rollback('trip', afterA!.checkpointId)).rejects.toMatchObject({
      code: 'INVALID_STATE',
    })
    expect(await store.getRun('trip')).toEqual(before.record)
    expect(await store.readJournal('trip')).toEqual(before.journal)
    expect(slow.calls[0]!.ctx.signal.aborted).toBe(false)
    slow.calls[0]!.resolve('b')
    expect((await first.wait('trip')).status).toBe('completed')
  })

  it('rolls a stored run back without re-running its interrupted task first, then executes it', async () => {
    const { store, slow, undone, second } = await storedPausedRun()
    const afterA = (await second.checkpoints('trip')).find((c) => c.reason === 'task a completed')!
    await expect(second.rollback('trip', afterA.checkpointId)).resolves.toMatchObject({ status: 'paused' })
    await second.idle()
    expect(slow.calls).toHaveLength(1)
    expect(undone).toEqual([])
    const history = await second.history('trip')
    expect(history.some((e) => e.type === 'workflow.recovered')).toBe(false)
    expect(history.at(-1)).toMatchObject({ type: 'workflow.rolled-back', checkpointId: afterA.checkpointId })
    expect(await holdsLock(store, 'trip')).toBe(true)
    await second.resume('trip')
    await second.idle()
    expect(slow.calls).toHaveLength(2)
    slow.calls[1]!.resolve('b')
    expect((await second.wait('trip')).status).toBe('completed')
  })
})
