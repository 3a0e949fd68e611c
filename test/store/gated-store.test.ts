import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { gatedStore } from './gated-store'
import { storeContract } from './store-contract'
import { completedEntry, runRecord } from './store-fixtures'

storeContract('gatedStore without gates', async () => ({
  store: gatedStore(memoryStore()),
  cleanup: async () => {},
}))

describe('gatedStore', () => {
  it("holds a call until the gate opens, then lets it see what was written meanwhile ('before')", async () => {
    const store = gatedStore(memoryStore())
    await store.createRun(runRecord('r1'))
    const gate = store.hold('readJournal')
    const read = store.readJournal('r1')
    await gate.reached
    await store.commit({ entries: [completedEntry('r1', 1)], runs: [], snapshots: [] })
    gate.open()
    expect((await read).map((e) => e.seq)).toEqual([1])
  })

  it("reads at once and hands back the stale result when the gate opens ('after')", async () => {
    const store = gatedStore(memoryStore())
    const gate = store.hold('readJournal', (runId) => runId === 'r1', 'after')
    const read = store.readJournal('r1')
    await gate.reached
    await store.commit({ entries: [completedEntry('r1', 1)], runs: [], snapshots: [] })
    gate.open()
    expect(await read).toEqual([])
    expect(await store.readJournal('r1')).toHaveLength(1)
  })
})
