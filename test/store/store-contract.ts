import { ArgumentError, NotFoundError, StaleExecutorError, type Store } from 'spindle'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { completedEntry, definitionRecord, journal, runRecord, snapshotRecord } from './store-fixtures'

/**
 * The behaviour every `Store` must show. Each implementation's test file runs it with a factory
 * that makes a fresh, empty store and a `cleanup` that disposes of it.
 */
export function storeContract(
  name: string,
  make: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
): void {
  describe(`${name}: the Store contract`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await make())
    })
    afterEach(async () => {
      await cleanup()
    })

    it('names itself', () => {
      expect(store.name).toMatch(/.+/)
    })

    describe('definitions', () => {
      it('stores a definition and reads it back by version', async () => {
        await store.putDefinition(definitionRecord('order', '1.0.0'))
        expect(await store.getDefinition('order', '1.0.0')).toEqual(definitionRecord('order', '1.0.0'))
        expect(await store.getDefinition('order', '9.9.9')).toBeUndefined()
        expect(await store.getDefinition('missing')).toBeUndefined()
      })

      it('picks the highest semver version when none is given, not the highest string', async () => {
        for (const v of ['1.9.0', '1.10.0', '1.10.0-beta.2', '0.20.0']) {
          await store.putDefinition(definitionRecord('order', v))
        }
        await store.putDefinition(definitionRecord('orders', '5.0.0'))
        await store.putDefinition(definitionRecord('orde', '7.0.0'))
        expect((await store.getDefinition('order'))?.version).toBe('1.10.0')
        expect(await store.latestVersion('order')).toBe('1.10.0')
        await store.putDefinition(definitionRecord('order', '2.0.0-rc.1'))
        expect((await store.getDefinition('order'))?.version).toBe('2.0.0-rc.1')
        expect(await store.latestVersion('order')).toBe('2.0.0-rc.1')
        expect(await store.latestVersion('missing')).toBeUndefined()
      })

      it('refuses a definition put again under the same id and version, and keeps the first', async () => {
        await store.putDefinition(definitionRecord('order', '1.0.0', 1))
        await expect(store.putDefinition(definitionRecord('order', '1.0.0', 2))).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          value: { id: 'order', version: '1.0.0' },
        })
        expect((await store.getDefinition('order', '1.0.0'))?.registeredAt).toBe(1)
        expect(await store.listDefinitions()).toHaveLength(1)
      })

      it('lists every version of every definition', async () => {
        await store.putDefinition(definitionRecord('order', '1.0.0'))
        await store.putDefinition(definitionRecord('order', '1.1.0'))
        await store.putDefinition(definitionRecord('refund', '1.0.0'))
        const listed = (await store.listDefinitions()).map((d) => `${d.id}@${d.version}`)
        expect(listed.sort()).toEqual(['order@1.0.0', 'order@1.1.0', 'refund@1.0.0'])
      })

      it('deletes one version, or every version, and counts what it deleted', async () => {
        for (const v of ['1.0.0', '1.1.0', '2.0.0']) await store.putDefinition(definitionRecord('order', v))
        await store.putDefinition(definitionRecord('orders', '1.0.0'))
        expect(await store.deleteDefinition('order', '1.1.0')).toBe(1)
        expect(await store.getDefinition('order', '1.1.0')).toBeUndefined()
        expect(await store.deleteDefinition('order', '1.1.0')).toBe(0)
        expect(await store.deleteDefinition('order')).toBe(2)
        expect(await store.getDefinition('order')).toBeUndefined()
        expect(await store.deleteDefinition('order')).toBe(0)
        expect((await store.listDefinitions()).map((d) => d.id)).toEqual(['orders'])
      })
    })

    describe('runs', () => {
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
        const ids = async (filter?: Parameters<Store['listRuns']>[0]) =>
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
    })

    describe('commit and the journal', () => {
      it('writes entries, run records and snapshots together', async () => {
        await store.createRun(runRecord('r1'))
        await store.commit({
          entries: journal('r1', 3),
          runs: [runRecord('r1', { seq: 3, updatedAt: 2000 })],
          snapshots: [snapshotRecord('r1', 3)],
        })
        expect(await store.readJournal('r1')).toEqual(journal('r1', 3))
        expect(await store.getRun('r1')).toMatchObject({ seq: 3, updatedAt: 2000 })
        expect(await store.latestSnapshot('r1')).toEqual(snapshotRecord('r1', 3))
      })

      it('refuses a commit fenced with a stale epoch and writes nothing of it', async () => {
        await store.createRun(runRecord('r1'))
        await store.createRun(runRecord('r2'))
        const old = await store.claimRun('r1', 'tab-a')
        await store.commit({ entries: journal('r1', 2), runs: [{ ...old, seq: 2 }], snapshots: [] })
        const current = await store.claimRun('r1', 'tab-b')

        const refused = store.commit({
          entries: [completedEntry('r1', 3), completedEntry('r2', 1)],
          runs: [runRecord('r2'), { ...old, seq: 3, status: 'completed' }],
          snapshots: [snapshotRecord('r1', 3)],
        })
        await expect(refused).rejects.toBeInstanceOf(StaleExecutorError)
        await expect(refused).rejects.toMatchObject({
          code: 'STALE_EXECUTOR',
          value: { runId: 'r1', epoch: 1, current: 2 },
        })
        expect(await store.readJournal('r1')).toEqual(journal('r1', 2))
        expect(await store.readJournal('r2')).toEqual([])
        expect(await store.getRun('r1')).toEqual(current)
        expect(await store.latestSnapshot('r1')).toBeUndefined()

        await store.commit({
          entries: [completedEntry('r1', 3)],
          runs: [{ ...current, seq: 3 }],
          snapshots: [],
        })
        expect(await store.readJournal('r1')).toEqual(journal('r1', 3))
      })

      it('commits entries without a run record unfenced', async () => {
        await store.commit({ entries: journal('r1', 2), runs: [], snapshots: [] })
        expect(await store.readJournal('r1')).toHaveLength(2)
      })

      it('reads the journal after a sequence number, one run only, in seq order', async () => {
        await store.commit({ entries: journal('run-1', 5), runs: [], snapshots: [] })
        await store.commit({ entries: journal('run-10', 2), runs: [], snapshots: [] })
        await store.commit({ entries: journal('run-1', 2, 6), runs: [], snapshots: [] })
        const seqs = async (runId: string, afterSeq?: number) =>
          (await store.readJournal(runId, afterSeq)).map((e) => e.seq)
        expect(await seqs('run-1')).toEqual([1, 2, 3, 4, 5, 6, 7])
        expect(await seqs('run-1', 3)).toEqual([4, 5, 6, 7])
        expect(await seqs('run-1', 7)).toEqual([])
        expect(await seqs('run-10')).toEqual([1, 2])
        expect(await seqs('run-2')).toEqual([])
      })

      it('finds the newest snapshot at or before maxSeq', async () => {
        await store.commit({
          entries: [],
          runs: [],
          snapshots: [snapshotRecord('r1', 2), snapshotRecord('r1', 4), snapshotRecord('r1', 6)],
        })
        await store.commit({ entries: [], runs: [], snapshots: [snapshotRecord('r10', 9)] })
        expect((await store.latestSnapshot('r1'))?.seq).toBe(6)
        expect((await store.latestSnapshot('r1', 5))?.seq).toBe(4)
        expect((await store.latestSnapshot('r1', 4))?.seq).toBe(4)
        expect(await store.latestSnapshot('r1', 1)).toBeUndefined()
        expect(await store.latestSnapshot('r2')).toBeUndefined()
      })

      it('rolls back: later entries are marked, kept and not deleted; later snapshots go', async () => {
        const run = await seededRun(store)
        await store.rollBack('r1', 2, run.epoch)
        const entries = await store.readJournal('r1')
        expect(entries.map((e) => [e.seq, e.rolledBack ?? false])).toEqual([
          [1, false],
          [2, false],
          [3, true],
          [4, true],
          [5, true],
        ])
        expect((await store.latestSnapshot('r1'))?.seq).toBe(2)
        expect(await store.readJournal('r2')).toEqual(journal('r2', 3))
      })

      it('refuses a rollback fenced with a stale epoch and changes nothing', async () => {
        const run = await seededRun(store)
        await store.claimRun('r1', 'tab-b')
        await expect(store.rollBack('r1', 2, run.epoch)).rejects.toBeInstanceOf(StaleExecutorError)
        expect((await store.readJournal('r1')).some((e) => e.rolledBack)).toBe(false)
        expect((await store.latestSnapshot('r1'))?.seq).toBe(4)
      })
    })

    describe('values are copies', () => {
      it('keeps what was stored when the caller mutates its objects afterwards', async () => {
        const definition = definitionRecord('order', '1.0.0')
        await store.putDefinition(definition)
        definition.definition.tasks.a!.action = 'changed'
        const run = runRecord('r1', { input: { n: 1 } })
        await store.createRun(run)
        run.input.n = 2
        // A committed batch is the store's (Store.commit takes it over), so it is not mutated here.

        expect((await store.getDefinition('order'))?.definition.tasks.a?.action).toBe('noop')
        expect((await store.getRun('r1'))?.input).toEqual({ n: 1 })
      })

      it('hands out copies: mutating a result does not change the store', async () => {
        await store.createRun(runRecord('r1', { input: { n: 1 } }))
        await store.commit({ entries: [completedEntry('r1', 1, { n: 1 })], runs: [], snapshots: [] })
        const read = await store.getRun('r1')
        read!.input.n = 2
        const [entry] = await store.readJournal('r1')
        ;(entry as { output: { n: number } }).output.n = 2
        ;(await store.listRuns())[0]!.status = 'failed'
        expect((await store.getRun('r1'))?.input).toEqual({ n: 1 })
        expect((await store.listRuns())[0]?.status).toBe('running')
        expect((await store.readJournal('r1'))[0]).toMatchObject({ output: { n: 1 } })
      })
    })

    it('closes', async () => {
      await store.createRun(runRecord('r1'))
      await expect(store.close()).resolves.toBeUndefined()
    })
  })
}

/** Run `r1` with entries 1…5 and snapshots at 2 and 4, claimed once; `r2` with 3 entries. */
async function seededRun(store: Store) {
  await store.createRun(runRecord('r1'))
  const run = await store.claimRun('r1', 'tab-a')
  await store.commit({
    entries: [...journal('r1', 5), ...journal('r2', 3)],
    runs: [{ ...run, seq: 5 }],
    snapshots: [snapshotRecord('r1', 2), snapshotRecord('r1', 4)],
  })
  return run
}
