import { memoryStore, StaleExecutorError, StorageError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { faultyStore } from './faulty-store'
import { storeContract } from './store-contract'
import { completedEntry, runRecord } from './store-fixtures'

storeContract('faultyStore without faults', async () => ({
  store: faultyStore(memoryStore()),
  cleanup: async () => {},
}))

const entry = (seq: number, type: 'task.completed' | 'task.started' = 'task.completed') =>
  type === 'task.completed'
    ? completedEntry('r1', seq)
    : { type, runId: 'r1', seq, at: seq, taskId: `t${seq}`, attempt: 1 }
const batchOf = (...entries: ReturnType<typeof entry>[]) => ({ entries, runs: [], snapshots: [] })

describe('faultyStore', () => {
  it('fails the nth call of a method before the inner store runs, once', async () => {
    const inner = memoryStore()
    const store = faultyStore(inner, { method: 'commit', nth: 2 })
    await store.commit(batchOf(entry(1)))
    const failed = store.commit(batchOf(entry(2)))
    await expect(failed).rejects.toBeInstanceOf(StorageError)
    await expect(failed).rejects.toThrow(
      'Injected fault: commit call #2 failed (before the inner store ran).',
    )
    await store.commit(batchOf(entry(3)))
    expect((await inner.readJournal('r1')).map((e) => e.seq)).toEqual([1, 3])
    expect(store.fired).toEqual([{ method: 'commit', call: 2, at: 'before' }])
    expect(store.calls('commit')).toBe(3)
    expect(store.calls('getRun')).toBe(0)
  })

  it('fails commits holding an entry of a given type', async () => {
    const inner = memoryStore()
    const store = faultyStore(inner, { method: 'commit', entryType: 'task.completed', times: Infinity })
    await store.commit(batchOf(entry(1, 'task.started')))
    await expect(store.commit(batchOf(entry(2, 'task.started'), entry(3)))).rejects.toBeInstanceOf(
      StorageError,
    )
    await expect(store.commit(batchOf(entry(4)))).rejects.toBeInstanceOf(StorageError)
    expect((await inner.readJournal('r1')).map((e) => e.seq)).toEqual([1])
    expect(store.fired.map((f) => f.call)).toEqual([2, 3])
  })

  it('fails after the inner store ran: written, but reported as failed', async () => {
    const inner = memoryStore()
    const store = faultyStore(inner, { method: 'createRun', at: 'after' })
    await expect(store.createRun(runRecord('r1'))).rejects.toThrow(/after the inner store ran/)
    expect(await inner.getRun('r1')).toEqual(runRecord('r1'))
  })

  it('fails `times` matching calls, picked by a predicate on the arguments', async () => {
    const store = faultyStore(memoryStore(), {
      method: 'getRun',
      when: (runId) => runId.startsWith('x'),
      times: 2,
    })
    await expect(store.getRun('a')).resolves.toBeUndefined()
    await expect(store.getRun('x1')).rejects.toBeInstanceOf(StorageError)
    await expect(store.getRun('x2')).rejects.toBeInstanceOf(StorageError)
    await expect(store.getRun('x3')).resolves.toBeUndefined()
  })

  it('throws the error the fault names', async () => {
    const store = faultyStore(memoryStore(), {
      method: 'commit',
      error: () => new StaleExecutorError('taken over'),
    })
    await expect(store.commit(batchOf(entry(1)))).rejects.toBeInstanceOf(StaleExecutorError)
  })

  it('takes faults later and heals', async () => {
    const store = faultyStore(memoryStore())
    await store.commit(batchOf(entry(1)))
    store.inject({ method: 'commit', times: Infinity }, { method: 'readJournal' })
    await expect(store.commit(batchOf(entry(2)))).rejects.toBeInstanceOf(StorageError)
    await expect(store.commit(batchOf(entry(3)))).rejects.toBeInstanceOf(StorageError)
    store.heal()
    await store.commit(batchOf(entry(4)))
    expect((await store.readJournal('r1')).map((e) => e.seq)).toEqual([1, 4])
    expect(store.fired).toHaveLength(2)
  })

  it("keeps the inner store's name", () => {
    const inner = memoryStore({ name: 'inner' })
    const store = faultyStore(inner)
    expect(store.name).toBe('inner')
  })
})
