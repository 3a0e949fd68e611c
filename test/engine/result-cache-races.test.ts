import { defineAction, memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

describe('the result cache under concurrent misses and clears', () => {
  const open = testEngines()

  it('clearCache while a miss computes waits for it, then deletes the entry it kept', async () => {
    const slow = controllable()
    const action = defineAction({ version: '1', run: slow.handler })
    const store = memoryStore()
    const { engine } = open({ store, actions: { slow: action } })
    await engine.register(def({ s: { action: 'slow', params: { n: 1 }, cache: { ttlMs: 60_000 } } }))
    const run = await engine.start('wf')
    await until(() => slow.calls.length === 1)
    let cleared: number | undefined
    const clearing = engine.clearCache().then((count) => {
      cleared = count
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(cleared).toBeUndefined()
    slow.calls[0]!.resolve('stale')
    await engine.wait(run.runId)
    await clearing
    expect(cleared).toBe(1)
    expect(await store.nextCacheExpiry()).toBeUndefined()
    const again = engine.start('wf')
    await until(() => slow.calls.length === 2)
    slow.calls[1]!.resolve('fresh')
    expect((await engine.wait((await again).runId)).tasks.s!.output).toBe('fresh')
  })

  it('two runs that miss the same key at once run the action once; the second completes from the first', async () => {
    const slow = controllable()
    const action = defineAction({ version: '1', run: slow.handler })
    const { engine } = open({ actions: { slow: action } })
    await engine.register(def({ s: { action: 'slow', params: { n: 1 }, cache: { ttlMs: 60_000 } } }))
    const first = await engine.start('wf', {}, { runId: 'r1' })
    const second = await engine.start('wf', {}, { runId: 'r2' })
    await until(() => slow.calls.length === 1)
    // The second run waits on the key's lock, not on the action.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(slow.calls).toHaveLength(1)
    slow.calls[0]!.resolve('computed')
    const views = await Promise.all([engine.wait(first.runId), engine.wait(second.runId)])
    expect(views.map((view) => view.tasks.s!.output)).toEqual(['computed', 'computed'])
    expect(slow.calls).toHaveLength(1)
    const cached = (await engine.history(slow.calls[0]!.ctx.runId === 'r1' ? 'r2' : 'r1')).find(
      (entry) => entry.type === 'task.cached',
    )
    expect(cached).toMatchObject({ fromRunId: slow.calls[0]!.ctx.runId })
  })

  it('close() while a clear waits for a miss: the clear is refused with ENGINE_CLOSED, the miss aborted, nothing kept', async () => {
    const slow = controllable()
    const action = defineAction({ version: '1', run: slow.handler })
    const store = memoryStore()
    const { engine } = open({ store, actions: { slow: action } })
    await engine.register(def({ s: { action: 'slow', params: { n: 1 }, cache: { ttlMs: 60_000 } } }))
    await engine.start('wf')
    await until(() => slow.calls.length === 1)
    const clearing = engine.clearCache()
    await engine.close()
    await expect(clearing).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
    expect(slow.calls[0]!.ctx.signal.aborted).toBe(true)
    slow.calls[0]!.resolve('late')
    expect(await store.nextCacheExpiry()).toBeUndefined()
  })
})
