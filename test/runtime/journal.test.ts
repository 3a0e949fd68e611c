import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, flush, testEngine } from '../support/engine-fixtures'
import { gatedStore } from '../support/gated-store'

/** Whether `promise` has settled after the queued work ran. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(
    () => {
      done = true
    },
    () => {
      done = true
    },
  )
  await flush()
  return done
}

describe('reads while the journal is busy', () => {
  it('listRuns, history and checkpoints wait only for the commits queued when they are called (D12)', async () => {
    const store = gatedStore(memoryStore())
    const work = controllable()
    const { engine } = testEngine({ store, actions: { work: work.handler } })
    await engine.register(def({ a: { action: 'work' } }))
    await engine.start('wf', {}, { runId: 'r1' })
    await flush()
    const ctx = work.calls[0]!.ctx

    store.shut()
    ctx.progress(0.1)
    const listed = engine.listRuns()
    const read = engine.history('r1')
    const reads = [listed, read, engine.checkpoints('r1')]
    await flush()
    expect(store.held).toBe(1)
    // The task keeps reporting: a new commit is always queued behind the one in flight.
    ctx.progress(0.2)
    await store.release()
    await flush()
    expect(store.held).toBe(1)
    ctx.progress(0.3)
    for (const read of reads) expect(await settledYet(read)).toBe(true)
    const [runs, history] = [await listed, await read]
    expect(runs.map((r) => r.runId)).toEqual(['r1'])
    // Everything accepted before the call is in what it read, the later progress is not yet.
    expect(history.filter((e) => e.type === 'task.progress')).toHaveLength(1)

    while (store.held > 0) await store.release()
    work.calls[0]!.resolve('done')
    await flush()
    expect((await engine.getRun('r1'))?.status).toBe('running')
  })
})
