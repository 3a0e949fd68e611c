import { defineAction, memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

/** A versioned action that counts its calls and answers with its params and the call number. */
function counted(version: string | null = '1') {
  const calls: unknown[] = []
  const action = defineAction({
    ...(version === null ? {} : { version }),
    run: (params: { n?: number }) => {
      calls.push(params)
      return { n: params.n, call: calls.length }
    },
  })
  return { action, calls }
}

describe('the result cache', () => {
  const open = testEngines()

  it('runs a cached task once: a later run with the same params completes it from the cache, naming the source run', async () => {
    const { action, calls } = counted()
    const { engine } = open({ actions: { price: action } })
    await engine.register(
      def({ p: { action: 'price', params: { n: '${ input.n }' }, cache: { ttlMs: 60_000 } } }),
    )
    const first = await engine.start('wf', { n: 1 }, { runId: 'r1' })
    expect((await engine.wait(first.runId)).tasks.p!.output).toEqual({ n: 1, call: 1 })
    const second = await engine.start('wf', { n: 1 }, { runId: 'r2' })
    const view = await engine.wait(second.runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.p!.output).toEqual({ n: 1, call: 1 })
    expect(calls).toHaveLength(1)
    const cached = (await engine.history('r2')).find((entry) => entry.type === 'task.cached')
    expect(cached).toMatchObject({ taskId: 'p', fromRunId: 'r1', fromTaskId: 'p' })

    // Other params make another key.
    const third = await engine.start('wf', { n: 2 }, { runId: 'r3' })
    expect((await engine.wait(third.runId)).tasks.p!.output).toEqual({ n: 2, call: 2 })
  })

  it('forgets an entry after ttlMs: the next run computes it again', async () => {
    const { action, calls } = counted()
    const { engine, clock } = open({ actions: { price: action } })
    await engine.register(def({ p: { action: 'price', params: { n: 1 }, cache: { ttlMs: 1_000 } } }))
    await engine.wait((await engine.start('wf')).runId)
    clock.advance(999)
    await engine.wait((await engine.start('wf')).runId)
    expect(calls).toHaveLength(1)
    clock.advance(1)
    const late = await engine.wait((await engine.start('wf')).runId)
    expect(late.tasks.p!.output).toEqual({ n: 1, call: 2 })
    expect(calls).toHaveLength(2)
  })

  it('never caches a failure', async () => {
    let calls = 0
    const flaky = defineAction({
      version: '1',
      run: () => {
        calls++
        if (calls === 1) throw new Error('down')
        return 'up'
      },
    })
    const { engine } = open({ actions: { flaky } })
    await engine.register(def({ f: { action: 'flaky', cache: { ttlMs: 60_000 } } }))
    expect((await engine.wait((await engine.start('wf')).runId)).status).toBe('failed')
    const second = await engine.wait((await engine.start('wf')).runId)
    expect(second.status).toBe('completed')
    expect(second.tasks.f!.output).toBe('up')
    expect(calls).toBe(2)
  })

  it('runs every time an action without a version, and when params are not plain JSON; task.completed says why', async () => {
    const unversioned = counted(null)
    const bytes = counted()
    const { engine } = open({ actions: { u: unversioned.action, b: bytes.action } })
    await engine.register(def({ u: { action: 'u', params: { n: 1 }, cache: { ttlMs: 60_000 } } }))
    await engine.register(
      def(
        { b: { action: 'b', params: { n: '${ input.data }' }, cache: { ttlMs: 60_000 } } },
        { id: 'bytes' },
      ),
    )
    const completion = async (runId: string) =>
      (await engine.history(runId)).find((entry) => entry.type === 'task.completed')
    for (let i = 0; i < 2; i++) {
      const plain = await engine.start('wf')
      expect((await engine.wait(plain.runId)).status).toBe('completed')
      expect(await completion(plain.runId)).toMatchObject({ cache: { skipped: 'unversioned-action' } })
      const run = await engine.start('bytes', { data: new Uint8Array([1, 2]) })
      expect((await engine.wait(run.runId)).status).toBe('completed')
      expect(await completion(run.runId)).toMatchObject({ cache: { skipped: 'not-plain-json' } })
    }
    expect(unversioned.calls).toHaveLength(2)
    expect(bytes.calls).toHaveLength(2)
    // A task whose key is made says nothing of the cache on its completion.
    await engine.register(
      def({ b: { action: 'b', params: { n: 1 }, cache: { ttlMs: 60_000 } } }, { id: 'plain' }),
    )
    const keyed = await engine.start('plain')
    await engine.wait(keyed.runId)
    expect(await completion(keyed.runId)).not.toHaveProperty('cache')
  })

  it('keys by action version, by cache.key and by scope', async () => {
    const v1 = counted('1')
    const v2 = counted('2')
    const store = memoryStore()
    const first = open({ store, actions: { price: v1.action } })
    const task = { action: 'price', params: { n: 1 }, cache: { ttlMs: 60_000, key: 'input.region' } }
    await first.engine.register(def({ p: task }))
    await first.engine.register(
      def({ p: { ...task, cache: { ttlMs: 60_000, scope: 'run' } } }, { id: 'per-run' }),
    )
    await first.engine.wait((await first.engine.start('wf', { region: 'eu' })).runId)
    await first.engine.wait((await first.engine.start('wf', { region: 'eu' })).runId)
    await first.engine.wait((await first.engine.start('wf', { region: 'us' })).runId)
    expect(v1.calls).toHaveLength(2)
    await first.engine.wait((await first.engine.start('per-run')).runId)
    await first.engine.wait((await first.engine.start('per-run')).runId)
    expect(v1.calls).toHaveLength(4)
    await first.engine.close()

    // The same database, the action at version 2: nothing version 1 cached is used.
    const second = open({ store, actions: { price: v2.action } })
    await second.engine.wait((await second.engine.start('wf', { region: 'eu' })).runId)
    expect(v2.calls).toHaveLength(1)
  })

  it('clearCache deletes the entries of an action or a definition, counts them, and their tasks run again', async () => {
    const a = counted()
    const b = counted()
    const { engine } = open({ actions: { a: a.action, b: b.action } })
    await engine.register(
      def({ x: { action: 'a', cache: { ttlMs: 60_000 } }, y: { action: 'b', cache: { ttlMs: 60_000 } } }),
    )
    await engine.register(
      def({ x: { action: 'a', params: { n: 2 }, cache: { ttlMs: 60_000 } } }, { id: 'other' }),
    )
    await engine.wait((await engine.start('wf')).runId)
    await engine.wait((await engine.start('other')).runId)
    expect(await engine.clearCache({ action: 'a', definitionId: 'other' })).toBe(1)
    await engine.wait((await engine.start('other')).runId)
    expect(a.calls).toHaveLength(3)
    expect(await engine.clearCache({ action: 'b' })).toBe(1)
    await engine.wait((await engine.start('wf')).runId)
    expect([a.calls.length, b.calls.length]).toEqual([3, 2])
    expect(await engine.clearCache()).toBe(3)
    await engine.wait((await engine.start('wf')).runId)
    expect([a.calls.length, b.calls.length]).toEqual([4, 3])
  })

  it('clearCache refuses a bad filter with a typed error and deletes nothing', async () => {
    const a = counted()
    const { engine } = open({ actions: { a: a.action } })
    await engine.register(def({ x: { action: 'a', cache: { ttlMs: 60_000 } } }))
    await engine.wait((await engine.start('wf')).runId)
    await expect(engine.clearCache({ task: 'x' } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('the options are action, definitionId'),
    })
    await expect(engine.clearCache({ action: 7 } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await engine.wait((await engine.start('wf')).runId)
    expect(a.calls).toHaveLength(1)
  })

  it('clearCache asks authorize, and a refusal deletes nothing', async () => {
    const a = counted()
    const asked: unknown[] = []
    const { engine } = open({
      actions: { a: a.action },
      authorize: (request) => {
        if (request.verb === 'clearCache') asked.push(request)
        return request.verb !== 'clearCache' || request.principal === 'admin'
      },
    })
    await engine.register(def({ x: { action: 'a', cache: { ttlMs: 60_000 } } }))
    await engine.wait((await engine.start('wf')).runId)
    await expect(engine.as('guest').clearCache({ definitionId: 'wf' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    expect(await engine.as('admin').clearCache({ definitionId: 'wf' })).toBe(1)
    expect(asked).toEqual([
      { principal: 'guest', verb: 'clearCache', definitionId: 'wf' },
      { principal: 'admin', verb: 'clearCache', definitionId: 'wf' },
    ])
  })

  it('the leader deletes expired entries when it comes to lead, then at each earliest expiry, with no timer once none is left', async () => {
    const store = memoryStore()
    const entry = (key: string, expiresAt: number) => ({
      key,
      expiresAt,
      action: 'a',
      definitionId: 'wf',
      runId: 'r0',
      taskId: 't',
      output: key,
      createdAt: 0,
      bytes: 100,
      lastUsedAt: 0,
    })
    const { clock } = open({ store })
    const start = clock.now()
    await store.putCacheEntry(entry('expired', start))
    await store.putCacheEntry(entry('soon', start + 60_000))
    await store.putCacheEntry(entry('later', start + 3_600_000))
    await until(async () => (await store.getCacheEntry('expired')) === undefined)
    await until(() => clock.pending === 1)
    expect(await store.getCacheEntry('soon')).toBeDefined()
    clock.advance(60_000)
    await until(async () => (await store.getCacheEntry('soon')) === undefined)
    expect(await store.getCacheEntry('later')).toEqual(entry('later', start + 3_600_000))
    await until(() => clock.pending === 1)
    clock.advance(3_600_000 - 60_000)
    await until(async () => (await store.nextCacheExpiry()) === undefined)
    await until(() => clock.pending === 0)
  })

  it('an empty cache holds no timer; an entry this engine keeps arms the sweep at its expiry', async () => {
    const store = memoryStore()
    const { action } = counted()
    const { engine, clock } = open({ store, actions: { price: action } })
    await engine.register(def({ p: { action: 'price', params: { n: 1 }, cache: { ttlMs: 5_000 } } }))
    await engine.idle()
    expect(clock.pending).toBe(0)
    await engine.wait((await engine.start('wf')).runId)
    expect(await store.nextCacheExpiry()).toBe(clock.now() + 5_000)
    await until(() => clock.pending === 1)
    clock.advance(5_000)
    await until(async () => (await store.nextCacheExpiry()) === undefined)
    await until(() => clock.pending === 0)
  })

  it('an entry another tab put, which no sweep is armed for, goes with the next put of this engine once expired', async () => {
    const store = memoryStore()
    const { action } = counted()
    const { engine, clock } = open({ store, actions: { price: action } })
    await engine.register(def({ p: { action: 'price', params: { n: 1 }, cache: { ttlMs: 5_000 } } }))
    const other = { action: 'a', definitionId: 'wf', runId: 'r0', taskId: 't', output: 1, createdAt: 0 }
    // Once this one is swept, the engine leads and its sweep is done: it found nothing left to arm for.
    await store.putCacheEntry({ ...other, key: 'expired', expiresAt: clock.now(), bytes: 80, lastUsedAt: 0 })
    await until(async () => (await store.getCacheEntry('expired')) === undefined)
    await until(() => clock.pending === 0)
    await store.putCacheEntry({
      ...other,
      key: 'from-another-tab',
      expiresAt: clock.now() + 10,
      bytes: 80,
      lastUsedAt: 0,
    })
    clock.advance(10)
    expect(clock.pending).toBe(0)
    expect(await store.getCacheEntry('from-another-tab')).toBeDefined()
    await engine.wait((await engine.start('wf')).runId)
    expect(await store.getCacheEntry('from-another-tab')).toBeUndefined()
    expect(await store.nextCacheExpiry()).toBe(clock.now() + 5_000)
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
})
