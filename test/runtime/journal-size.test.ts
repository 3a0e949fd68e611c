import { type CommitBatch, memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngine } from '../support/engine-fixtures'

/** A memory store that records the size of what each commit writes, snapshots apart. */
function measuredStore() {
  const inner = memoryStore()
  const sizes: { bytes: number; entries: number; completions: number }[] = []
  const snapshots: number[] = []
  const commit = (batch: CommitBatch) => {
    const { snapshots: taken, ...rest } = batch
    sizes.push({
      bytes: JSON.stringify(rest).length,
      entries: batch.entries.length,
      completions: batch.entries.filter((e) => e.type === 'task.completed').length,
    })
    for (const snapshot of taken) snapshots.push(JSON.stringify(snapshot).length)
    return inner.commit(batch)
  }
  const store = new Proxy(inner, {
    get: (target, key) => {
      if (key === 'commit') return commit
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as Store
  return { store, sizes, snapshots }
}

describe('journal writes', () => {
  it('write about the same bytes per completion at the end of a long run as at its start', async () => {
    const { store, sizes, snapshots } = measuredStore()
    const { engine } = testEngine({ store })
    const n = 600
    const tasks = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `t${i}`,
        { action: 'noop', ...(i > 0 && { dependsOn: [`t${i - 1}`] }) },
      ]),
    )
    await engine.register(def(tasks))
    await engine.wait((await engine.start('wf', {}, { runId: 'long' })).runId)
    const perCompletion = (batches: typeof sizes) =>
      batches.reduce((sum, b) => sum + b.bytes, 0) / batches.reduce((sum, b) => sum + b.completions, 0)
    const steps = sizes.filter((b) => b.completions > 0)
    const early = perCompletion(steps.slice(10, 60))
    const late = perCompletion(steps.slice(-60, -10))
    // Only the digits of seq numbers and task ids grow; nothing in proportion to the run.
    expect(late / early).toBeLessThan(1.1)
    // A snapshot is O(tasks), so one is written only every 4 × tasks entries.
    const entries = sizes.reduce((sum, b) => sum + b.entries, 0)
    expect(entries).toBeGreaterThan(n)
    expect(snapshots.length).toBeLessThanOrEqual(Math.floor(entries / (4 * n)))
  })
})
