import { createEngine, defineAction, memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngines, until } from '../support/engine-fixtures'

/** A versioned action answering a 300-character string: each entry holds a few hundred bytes. */
function padded() {
  const calls: number[] = []
  const action = defineAction({
    version: '1',
    run: (params: { n: number }) => {
      calls.push(params.n)
      return `${params.n}`.padEnd(300, '.')
    },
  })
  return { action, calls }
}

const cached = def({ p: { action: 'pad', params: { n: '${ input.n }' }, cache: { ttlMs: 86_400_000 } } })

/** `store`, counting the calls of `touchCacheEntry`. */
function countingTouches(store: Store) {
  const touches: number[] = []
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'touchCacheEntry') return Reflect.get(target, property, receiver)
      return (key: string, at: number) => {
        touches.push(at)
        return target.touchCacheEntry(key, at)
      }
    },
  })
  return { store: counted, touches }
}

describe('the result cache size cap', () => {
  const open = testEngines()

  it('evicts the least recently used entry when a new one brings the total over maxBytes; a hit marks use at most once a minute', async () => {
    const { action, calls } = padded()
    const { store, touches } = countingTouches(memoryStore())
    const { engine, clock } = open({ store, actions: { pad: action }, cache: { maxBytes: 1_500 } })
    await engine.register(cached)
    const run = async (n: number) => engine.wait((await engine.start('wf', { n })).runId)
    await run(1)
    const one = await store.cacheBytes()
    expect(one).toBeGreaterThan(300)
    expect(one * 3).toBeGreaterThan(1_500)
    clock.advance(1_000)
    await run(2)
    expect(await store.cacheBytes()).toBeLessThanOrEqual(1_500)
    clock.advance(2 * 60_000)
    // Used again: entry 1 is now the most recently used, entry 2 the least.
    expect((await run(1)).tasks.p!.cached).toBeDefined()
    expect(touches).toEqual([clock.now()])
    clock.advance(30_000)
    await run(1)
    expect(touches).toHaveLength(1)
    await run(3)
    expect(calls).toEqual([1, 2, 3])
    expect(await store.cacheBytes()).toBeLessThanOrEqual(1_500)
    expect((await run(1)).tasks.p!.cached).toBeDefined()
    expect((await run(3)).tasks.p!.cached).toBeDefined()
    expect((await run(2)).tasks.p!.cached).toBeUndefined()
    expect(calls).toEqual([1, 2, 3, 2])
  })

  it('keeps no entry larger than maxBytes: the task completes, says so, and runs again next time', async () => {
    const { action, calls } = padded()
    const store = memoryStore()
    const { engine } = open({ store, actions: { pad: action }, cache: { maxBytes: 200 } })
    await engine.register(cached)
    for (let i = 0; i < 2; i++) {
      const run = await engine.start('wf', { n: 1 })
      expect((await engine.wait(run.runId)).status).toBe('completed')
      const completed = (await engine.history(run.runId)).find((entry) => entry.type === 'task.completed')
      expect(completed).toMatchObject({ cache: { skipped: 'too-large' } })
    }
    expect(calls).toEqual([1, 1])
    expect(await store.cacheBytes()).toBe(0)
  })

  it('does not keep an output that is not plain JSON, whose size it cannot count', async () => {
    let calls = 0
    const dated = defineAction({
      version: '1',
      run: () => {
        calls++
        return { at: new Date(0) }
      },
    })
    const store = memoryStore()
    const { engine } = open({ store, actions: { dated } })
    await engine.register(def({ d: { action: 'dated', cache: { ttlMs: 60_000 } } }))
    for (let i = 0; i < 2; i++) {
      const run = await engine.start('wf')
      expect((await engine.wait(run.runId)).status).toBe('completed')
      const completed = (await engine.history(run.runId)).find((entry) => entry.type === 'task.completed')
      expect(completed).toMatchObject({ cache: { skipped: 'not-plain-json' } })
    }
    expect(calls).toBe(2)
    expect(await store.nextCacheExpiry()).toBeUndefined()
  })

  it("the leader's sweep evicts down to its own cap when it comes to lead", async () => {
    const { action } = padded()
    const store = memoryStore()
    const first = open({ store, actions: { pad: action }, cache: { maxBytes: 100_000 } })
    await first.engine.register(cached)
    for (const n of [1, 2, 3]) await first.engine.wait((await first.engine.start('wf', { n })).runId)
    const three = await store.cacheBytes()
    await first.engine.close()
    open({ store, actions: { pad: action }, cache: { maxBytes: Math.ceil(three / 2) } })
    await until(async () => (await store.cacheBytes()) <= three / 2)
    expect(await store.cacheBytes()).toBeGreaterThan(0)
  })

  it('refuses a cache option that is not { maxBytes: a whole number ≥ 0 }, naming it', () => {
    for (const cache of [{ maxBytes: -1 }, { maxBytes: 1.5 }, { maxBytes: '50MB' }, { size: 1 }, 5]) {
      expect(() => createEngine({ store: memoryStore(), cache } as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('cache') }),
      )
    }
  })
})
