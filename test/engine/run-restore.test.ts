import { memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, flush, testEngine } from '../support/engine-fixtures'

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
    await flush()
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
