import { ArgumentError, NotFoundError, type RunStore } from 'spindle'
import { beforeEach, describe, expect, it } from 'vitest'
import { runRecord } from './store-fixtures'

/**
 * The behaviour every `RunStore` must show. `current` hands each test the fresh, empty store
 * that the caller's `beforeEach` made.
 */
export function runStoreContract(current: () => RunStore): void {
  describe('RunStore', () => {
    let store: RunStore
    beforeEach(() => {
      store = current()
    })

    it('lists the passive runs that wake at a time, earliest first, from their wakeAt', async () => {
      await store.createRun(runRecord('late', { wakeAt: 5_000 }))
      await store.createRun(runRecord('b-early', { wakeAt: 2_000 }))
      await store.createRun(runRecord('a-early', { wakeAt: 2_000 }))
      await store.createRun(runRecord('on-a-signal', { wakeAt: Number.POSITIVE_INFINITY }))
      await store.createRun(runRecord('live'))
      expect(await store.listWakeups()).toEqual([
        { runId: 'a-early', wakeAt: 2_000 },
        { runId: 'b-early', wakeAt: 2_000 },
        { runId: 'late', wakeAt: 5_000 },
      ])
      expect(await store.listWakeups(1)).toEqual([{ runId: 'a-early', wakeAt: 2_000 }])
      expect((await store.getRun('on-a-signal'))?.wakeAt).toBe(Number.POSITIVE_INFINITY)
      const refused = store.listWakeups(-1)
      await expect(refused).rejects.toBeInstanceOf(ArgumentError)
      await expect(refused).rejects.toThrow(/listWakeups: "limit"/)
    })

    it('creates a run and reads it back', async () => {
      await store.createRun(runRecord('r1'))
      expect(await store.getRun('r1')).toEqual(runRecord('r1'))
      expect(await store.getRun('r2')).toBeUndefined()
    })

    it('refuses a second run with the same id with an ArgumentError and keeps the first', async () => {
      await store.createRun(runRecord('r1', { input: { first: true } }))
      const refused = store.createRun(runRecord('r1', { input: { first: false } }))
      await expect(refused).rejects.toBeInstanceOf(ArgumentError)
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', value: 'r1' })
      expect((await store.getRun('r1'))?.input).toEqual({ first: true })
    })

    it('lists runs newest first, filtered by status and definition, up to a limit', async () => {
      await store.createRun(runRecord('a', { createdAt: 1, status: 'completed' }))
      await store.createRun(runRecord('b', { createdAt: 4, status: 'running', definitionId: 'refund' }))
      await store.createRun(runRecord('c', { createdAt: 3, status: 'failed' }))
      await store.createRun(runRecord('d', { createdAt: 2, status: 'running' }))
      await store.createRun(runRecord('e', { createdAt: 5, status: 'paused', definitionId: 'refund' }))
      const ids = async (filter?: Parameters<RunStore['listRuns']>[0]) =>
        (await store.listRuns(filter)).map((r) => r.runId)

      expect(await ids()).toEqual(['e', 'b', 'c', 'd', 'a'])
      expect(await ids({ limit: 2 })).toEqual(['e', 'b'])
      expect(await ids({ limit: 0 })).toEqual([])
      expect(await ids({ status: ['running'] })).toEqual(['b', 'd'])
      expect(await ids({ status: ['running', 'completed', 'failed'] })).toEqual(['b', 'c', 'd', 'a'])
      expect(await ids({ status: ['running', 'completed', 'failed'], limit: 3 })).toEqual(['b', 'c', 'd'])
      expect(await ids({ status: [] })).toEqual([])
      expect(await ids({ definitionId: 'refund' })).toEqual(['e', 'b'])
      expect(await ids({ definitionId: 'order', limit: 2 })).toEqual(['c', 'd'])
      expect(await ids({ definitionId: 'order', status: ['running', 'completed'] })).toEqual(['d', 'a'])
      expect(await ids({ definitionId: 'refund', status: ['completed'] })).toEqual([])
      expect(await ids({ definitionId: 'nothing' })).toEqual([])
    })

    it('pages by limit after filtering: each limit gives that many of the newest matching runs, each once', async () => {
      // Newest last; every third run is failed and of another definition.
      for (let i = 1; i <= 12; i++) {
        const failed = i % 3 === 0
        await store.createRun(
          runRecord(`r${i}`, {
            createdAt: i,
            status: failed ? 'failed' : 'running',
            definitionId: failed ? 'refund' : 'order',
          }),
        )
      }
      const ids = async (filter: Parameters<RunStore['listRuns']>[0]) =>
        (await store.listRuns(filter)).map((r) => r.runId)
      const newestFirst = Array.from({ length: 12 }, (_, i) => 12 - i)
      const all = newestFirst.map((i) => `r${i}`)
      const orders = newestFirst.filter((i) => i % 3 !== 0).map((i) => `r${i}`)
      const refunds = newestFirst.filter((i) => i % 3 === 0).map((i) => `r${i}`)

      for (const limit of [1, 2, 3, 5, 8, 12, 13]) {
        expect(await ids({ limit })).toEqual(all.slice(0, limit))
        expect(await ids({ status: ['running', 'failed', 'running'], limit })).toEqual(all.slice(0, limit))
        expect(await ids({ definitionId: 'order', status: ['running', 'completed'], limit })).toEqual(
          orders.slice(0, limit),
        )
        expect(await ids({ definitionId: 'refund', limit })).toEqual(refunds.slice(0, limit))
        expect(await ids({ status: ['failed'], limit })).toEqual(refunds.slice(0, limit))
      }
    })

    it('claims a run: the epoch goes up by one each time and the executor is recorded', async () => {
      await store.createRun(runRecord('r1', { epoch: 0 }))
      const first = await store.claimRun('r1', 'tab-a')
      expect(first).toMatchObject({ runId: 'r1', epoch: 1, executor: 'tab-a' })
      const second = await store.claimRun('r1', 'tab-b')
      expect(second).toMatchObject({ epoch: 2, executor: 'tab-b' })
      expect(await store.getRun('r1')).toMatchObject({ epoch: 2, executor: 'tab-b' })
    })

    it('refuses to claim an unknown run with a NotFoundError', async () => {
      await expect(store.claimRun('ghost', 'tab-a')).rejects.toBeInstanceOf(NotFoundError)
    })

    it('claims many runs at once, leaving out unknown ones', async () => {
      await store.createRun(runRecord('r1', { epoch: 0 }))
      await store.createRun(runRecord('r2', { epoch: 4 }))
      const claimed = await store.claimRuns(['r1', 'ghost', 'r2'], 'tab-c')
      expect(claimed.map((r) => [r.runId, r.epoch, r.executor])).toEqual([
        ['r1', 1, 'tab-c'],
        ['r2', 5, 'tab-c'],
      ])
      expect(await store.getRun('r2')).toMatchObject({ epoch: 5, executor: 'tab-c' })
      expect(await store.claimRuns([], 'tab-c')).toEqual([])
    })

    it('keeps what was stored when the caller mutates its record afterwards', async () => {
      const run = runRecord('r1', { input: { n: 1 } })
      await store.createRun(run)
      run.input.n = 2
      expect((await store.getRun('r1'))?.input).toEqual({ n: 1 })
    })

    it('hands out copies: mutating what it read does not change the store', async () => {
      await store.createRun(runRecord('r1', { input: { n: 1 } }))
      ;(await store.getRun('r1'))!.input.n = 2
      ;(await store.listRuns())[0]!.status = 'failed'
      ;(await store.claimRun('r1', 'tab-a')).executor = 'tab-z'
      ;(await store.claimRuns(['r1'], 'tab-b'))[0]!.epoch = 99
      expect(await store.getRun('r1')).toEqual({
        ...runRecord('r1', { input: { n: 1 } }),
        epoch: 2,
        executor: 'tab-b',
      })
      expect((await store.listRuns())[0]?.status).toBe('running')
    })
  })
}
