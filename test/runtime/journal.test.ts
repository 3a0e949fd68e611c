import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'
import { gatedStore } from '../support/gated-store'

/** Waits until `promise` has settled; a read still queued behind a held commit never does. */
async function settles(promise: Promise<unknown>): Promise<void> {
  let done = false
  promise.then(
    () => {
      done = true
    },
    () => {
      done = true
    },
  )
  await expect.poll(() => done).toBe(true)
}

describe('reads while the journal is busy', () => {
  it('listRuns, history and checkpoints wait only for the commits queued when they are called (D12)', async () => {
    const store = gatedStore(memoryStore())
    const work = controllable()
    const { engine } = testEngine({ store, actions: { work: work.handler } })
    await engine.register(def({ a: { action: 'work' } }))
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    const ctx = work.calls[0]!.ctx

    store.shut()
    ctx.progress(0.1)
    const listed = engine.listRuns()
    const read = engine.history('r1')
    const reads = [listed, read, engine.checkpoints('r1')]
    await expect.poll(() => store.held).toBe(1)
    // The task keeps reporting: a new commit is always queued behind the one in flight.
    ctx.progress(0.2)
    await store.release()
    await expect.poll(() => store.held).toBe(1)
    ctx.progress(0.3)
    for (const read of reads) await settles(read)
    const [runs, history] = [await listed, await read]
    expect(runs.runs.map((r) => r.runId)).toEqual(['r1'])
    // Everything accepted before the call is in what it read, the later progress is not yet.
    expect(history.filter((e) => e.type === 'task.progress')).toHaveLength(1)

    while (store.held > 0) await store.release()
    work.calls[0]!.resolve('done')
    await expect.poll(() => store.held).toBe(1)
    expect((await engine.getRun('r1'))?.status).toBe('running')
  })
})
