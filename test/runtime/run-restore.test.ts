import { type CommitBatch, memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngine, until } from '../support/engine-fixtures'

/** A memory store that counts the journal entries each read hands out. */
function countingStore() {
  const inner = memoryStore()
  const reads: { afterSeq: number | undefined; entries: number }[] = []
  const store = new Proxy(inner, {
    get: (target, key) => {
      if (key === 'readJournal') {
        return async (runId: string, afterSeq?: number) => {
          const entries = await target.readJournal(runId, afterSeq)
          reads.push({ afterSeq, entries: entries.length })
          return entries
        }
      }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as Store
  return { store, reads }
}

describe('restoring a stored run', () => {
  it('reads the snapshot, the outputs and only the entries after the snapshot (D21)', async () => {
    const { store, reads } = countingStore()
    const work = controllable()
    const first = testEngine({ store, snapshotEvery: 50, actions: { work: work.handler } })
    await first.engine.register(
      def({
        a: { action: 'transform', params: { value: { n: 1 } } },
        b: { action: 'work', dependsOn: ['a'] },
        c: { action: 'transform', dependsOn: ['b'], params: { value: '${ tasks.a.output.n + 1 }' } },
      }),
    )
    await first.engine.start('wf', {}, { runId: 'r1' })
    await first.engine.idle()
    const ctx = work.calls[0]!.ctx
    ctx.state.set('seen', 'yes')
    for (let i = 1; i <= 500; i++) ctx.progress(i / 1000)
    work.calls[0]!.resolve('b-done')
    await first.engine.wait('r1')
    await first.engine.close()

    const second = testEngine({ store })
    reads.length = 0
    const view = await second.engine.getRun('r1')
    expect(view?.status).toBe('completed')
    expect(view?.tasks.a?.output).toEqual({ n: 1 })
    expect(view?.tasks.b?.output).toBe('b-done')
    expect(view?.tasks.c?.output).toBe(2)
    expect(view?.state).toEqual({ seen: 'yes' })
    const read = reads.reduce((sum, r) => sum + r.entries, 0)
    // The 500 progress lines lie before the last snapshot: a restore does not read them.
    expect(read).toBeLessThan(60)
    await second.engine.close()
  })
})

describe('the outputs index', () => {
  it('is written with the snapshot that covers an output, not with every commit', async () => {
    const inner = memoryStore()
    const batches: CommitBatch[] = []
    const store = new Proxy(inner, {
      get: (target, key) => {
        if (key === 'commit')
          return (batch: CommitBatch) => {
            batches.push({ ...batch, outputs: batch.outputs && [...batch.outputs] })
            return target.commit(batch)
          }
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as Store
    const work = controllable()
    // Three tasks: a snapshot every 12 entries at the least.
    const first = testEngine({ store, snapshotEvery: 1, actions: { work: work.handler } })
    await first.engine.register(
      def({
        a: { action: 'transform', params: { value: { n: 1 } } },
        b: { action: 'work', dependsOn: ['a'] },
        c: { action: 'transform', dependsOn: ['b'], params: { value: '${ tasks.a.output.n + 1 }' } },
      }),
    )
    await first.engine.start('wf', {}, { runId: 'r1' })
    await first.engine.idle()
    for (let i = 1; i <= 12; i++) work.calls[0]!.ctx.progress(i / 100)
    await first.engine.idle()
    work.calls[0]!.resolve('b-done')
    await first.engine.wait('r1')
    await first.engine.close()

    const indexed = batches.filter((b) => b.outputs?.length)
    expect(indexed.length).toBeGreaterThan(0)
    expect(indexed.every((b) => b.snapshots.length > 0)).toBe(true)
    // Only `a` completed before the one snapshot; `b` and `c` are read from the journal's tail.
    expect(indexed.flatMap((b) => b.outputs!.map((o) => o.key))).toEqual(['a'])
    const view = await testEngine({ store }).engine.getRun('r1')
    expect(view?.tasks.a?.output).toEqual({ n: 1 })
    expect(view?.tasks.b?.output).toBe('b-done')
    expect(view?.tasks.c?.output).toBe(2)
  })
})

describe('restoring a stored run from IndexedDB', () => {
  const temp = tempStores()

  it('keeps outputs, forEach items and state across reloads with snapshots, and drops the rolled-back ones', async () => {
    const name = temp.open().name
    const gate = controllable()
    const items: number[] = []
    const actions = {
      gate: gate.handler,
      item: (params: { n: number }, ctx: { state: { set(k: string, v: unknown): void } }) => {
        items.push(params.n)
        if (params.n === 2) ctx.state.set('two', true)
        if (params.n === 8 && items.filter((n) => n === 8).length === 1)
          throw new Error('first try of 8 fails')
        return params.n * 10
      },
    }
    const definition = def({
      list: { action: 'transform', params: { value: [1, 2, 3, 4, 5, 6, 7, 8] } },
      each: {
        action: 'item',
        dependsOn: ['list'],
        forEach: 'tasks.list.output',
        params: { n: '${ item }' },
        concurrency: 1,
        onError: 'pause',
        retry: { maxAttempts: 1 },
      },
      after: { action: 'gate', dependsOn: ['each'] },
    })
    const open = (options: Parameters<typeof testEngine>[0] = {}) =>
      testEngine({ store: temp.open(name), snapshotEvery: 1, actions, ...options })

    // Items 1 to 7 complete, 8 fails once and pauses the run.
    const first = open()
    await first.engine.register(definition)
    await first.engine.start('wf', {}, { runId: 'r1' })
    // Read from the history, which waits for the commit: close() does not write what is still queued.
    await until(async () => (await first.engine.history('r1')).some((e) => e.type === 'workflow.paused'))
    const live = (await first.engine.getRun('r1'))!
    await first.engine.close()

    // Stored: the same tasks and state, read from snapshot, outputs and the journal's tail.
    const second = open()
    expect(await temp.open(name).latestSnapshot('r1')).toBeDefined()
    const stored = (await second.engine.getRun('r1'))!
    expect(stored.tasks).toEqual(live.tasks)
    expect(stored.state).toEqual(live.state)
    // Back to the checkpoint after `list`: the item outputs after it are gone, in a reload too.
    const [, afterList] = await second.engine.checkpoints('r1') // [0] is '<runId>:0', the start
    await second.engine.rollback('r1', afterList!.checkpointId)
    await second.engine.close()

    const third = open()
    expect((await third.engine.getRun('r1'))?.tasks.list?.output).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    await third.engine.resume('r1')
    await until(() => gate.calls.length === 1)
    // Every item runs again: those of 1 to 7 were rolled back with their entries.
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8])
    gate.calls[0]!.resolve('gated')
    const done = await third.engine.wait('r1')
    expect(done.tasks.each?.output).toEqual([10, 20, 30, 40, 50, 60, 70, 80])
    expect(done.state).toEqual({ two: true })
    await third.engine.close()

    const fourth = open({ recover: false })
    const reread = (await fourth.engine.getRun('r1'))!
    expect(reread.tasks).toEqual(done.tasks)
    expect(reread.state).toEqual({ two: true })
    expect(reread.output).toEqual(done.output)
    await fourth.engine.close()
  })
})
