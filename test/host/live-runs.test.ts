import { type Engine, memoryStore, type RunInfo, type Store } from 'spindle'
import { describe, expect, it, vi } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { gatedStore } from '../store/gated-store'
import { controllable, def, lockIsFree, testEngines, until } from '../support/engine-fixtures'

/** Collects what the engine reports with `reportError` while `work` runs. */
async function reporting(work: (reported: unknown[]) => Promise<void>): Promise<void> {
  const reported: unknown[] = []
  const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
  try {
    await work(reported)
  } finally {
    spy.mockRestore()
  }
}

describe('run custody', () => {
  const open = testEngines()
  /** An action that never ends on its own. */
  const actions = { slow: controllable().handler }
  /** Runs an engine left `running` in `store`: it closed while their action was in flight. */
  const leftRunning = async (store: Store, count = 1) => {
    const { engine } = open({ store, actions })
    await engine.register(def({ a: { action: 'slow' } }))
    const runs = await Promise.all(Array.from({ length: count }, () => engine.start('wf')))
    await engine.idle()
    await engine.close()
    return runs
  }

  it('a failed store read during a takeover releases the lock and is reported (D14)', async () => {
    await reporting(async (reported) => {
      const store = faultyStore(memoryStore())
      const slow = controllable()
      const { engine: first } = open({ store, actions: { slow: slow.handler } })
      await first.register(def({ a: { action: 'slow' } }))
      const run = await first.start('wf')
      await first.idle()
      const { engine: second } = open({ store, actions: { slow: slow.handler } })
      expect(await second.recover()).toEqual([])
      // The second engine waits for the lock; its first read once it has it fails.
      store.inject({ method: 'getRun', when: (runId) => runId === run.runId })
      await first.close()
      await until(() => reported.length > 0)
      expect(store.fired).toHaveLength(1)
      expect(await lockIsFree(store.name, run.runId)).toBe(true)
      expect(reported).toEqual([expect.objectContaining({ code: 'STORAGE_FAILED' })])
    })
  })

  it('recover() releases the lock of a listed run that is gone from the store when it claims', async () => {
    const store = memoryStore()
    const run = (await leftRunning(store))[0]!
    const record = (await store.getRun(run.runId))!
    // The listing still names a run that is no longer stored when the claim reads it.
    const listing = {
      ...store,
      listRuns: async (query?: Parameters<typeof store.listRuns>[0]) => [
        ...(await store.listRuns(query)),
        { ...record, runId: 'gone', status: 'running' as const },
      ],
    }
    const { engine: second } = open({ store: listing, actions })
    expect((await second.recover()).map((r) => r.runId)).toEqual([run.runId])
    expect(await lockIsFree(store.name, 'gone')).toBe(true)
  })

  it.each([
    ['running', 'workflow.started', 10],
    ['queued', 'workflow.queued', 1],
  ] as const)(
    'a %s start() refused with STORAGE_FAILED leaves nothing behind (D11)',
    async (_, entryType, maxConcurrentRuns) => {
      const store = faultyStore(memoryStore())
      const slow = controllable()
      const { engine } = open({ store, maxConcurrentRuns, actions: { slow: slow.handler } })
      await engine.register(def({ a: { action: 'slow' } }))
      const other = await engine.start('wf')
      store.inject({ method: 'commit', entryType })
      await expect(engine.start('wf', {}, { runId: 'refused' })).rejects.toMatchObject({
        code: 'STORAGE_FAILED',
      })
      await engine.idle()
      expect(await store.getRun('refused')).toBeUndefined()
      expect((await engine.listRuns()).runs.map((r) => r.runId)).toEqual([other.runId])
      expect(await engine.getRun('refused')).toBeUndefined()
      expect(await lockIsFree(store.name, 'refused')).toBe(true)
      // Nothing of it runs later: not when a slot frees, not after a reload.
      slow.calls[0]!.resolve('done')
      await engine.wait(other.runId)
      await engine.close()
      const { engine: again } = open({ store, recover: true, actions: { slow: slow.handler } })
      await engine.idle()
      expect(await again.recover()).toEqual([])
      expect(slow.calls).toHaveLength(1)
    },
  )

  it.each([
    ['checkpoint', (e: Engine, runId: string) => e.checkpoint(runId)],
    ['signal', (e: Engine, runId: string) => e.signal(runId, 'nudge')],
  ] as const)('%s() on a failed run releases its lock afterwards (D10)', async (_, control) => {
    const store = memoryStore()
    const broken = () => {
      throw new Error('no')
    }
    const { engine } = open({ store, actions: { broken } })
    await engine.register(def({ a: { action: 'broken', retry: { maxAttempts: 1 } } }))
    const run = await engine.start('wf')
    expect((await engine.wait(run.runId)).status).toBe('failed')
    await control(engine, run.runId)
    expect(await lockIsFree(store.name, run.runId)).toBe(true)
    // Another engine can take the failed run over.
    const { engine: other } = open({ store, actions: { broken: () => 'fixed' } })
    await other.retryTask(run.runId, 'a')
    expect((await other.wait(run.runId)).status).toBe('completed')
  })

  it('a run whose restore fails during recover() is reported and left unlocked, as stored (S3)', async () => {
    await reporting(async (reported) => {
      const store = faultyStore(memoryStore())
      const run = (await leftRunning(store))[0]!
      // The read of every recovered run together fails, then this run's own read fails too.
      store.inject(
        { method: 'readRestorePoints' },
        { method: 'readJournal', when: (runId) => runId === run.runId },
      )
      const { engine: second } = open({ store, actions })
      expect(await second.recover()).toEqual([])
      expect(reported).toEqual([expect.objectContaining({ code: 'STORAGE_FAILED' })])
      expect(await lockIsFree(store.name, run.runId)).toBe(true)
      expect((await store.getRun(run.runId))!.status).toBe('running')
    })
  })

  it('recover() reads what it restores in one store call per batch of runs, not three calls per run', async () => {
    const store = faultyStore(memoryStore())
    const started = await leftRunning(store, 40)
    const { engine: second } = open({ store, actions })
    const recovered = await second.recover()
    const ids = (runs: { runId: string }[]) => runs.map((r) => r.runId).sort()
    expect(ids(recovered)).toEqual(ids(started))
    expect(recovered.every((r) => r.status === 'running')).toBe(true)
    expect(store.calls('readRestorePoints')).toBe(1)
    expect(store.calls('latestSnapshot') + store.calls('readOutputs') + store.calls('readJournal')).toBe(0)
  })

  it('when the batched read fails, recover() restores each run on its own: only a run whose own read fails is left', async () => {
    await reporting(async (reported) => {
      const store = faultyStore(memoryStore())
      const [broken, fine] = (await leftRunning(store, 2)) as [RunInfo, RunInfo]
      store.inject(
        { method: 'readRestorePoints' },
        { method: 'readJournal', when: (runId) => runId === broken.runId },
      )
      const { engine: second } = open({ store, actions })
      expect((await second.recover()).map((r) => r.runId)).toEqual([fine.runId])
      expect(reported).toEqual([expect.objectContaining({ code: 'STORAGE_FAILED' })])
      expect(await lockIsFree(store.name, broken.runId)).toBe(true)
      expect(await lockIsFree(store.name, fine.runId)).toBe(false)
      expect((await store.getRun(broken.runId))!.status).toBe('running')
    })
  })

  it('a failed reload after a failed write is reported, and the run is left unlocked, as stored (S3)', async () => {
    await reporting(async (reported) => {
      const store = faultyStore(memoryStore())
      const slow = controllable()
      const { engine } = open({ store, actions: { slow: slow.handler } })
      await engine.register(def({ a: { action: 'slow' } }))
      const run = await engine.start('wf')
      await engine.idle()
      store.inject({ method: 'commit', entryType: 'task.completed' }, { method: 'claimRun' })
      slow.calls[0]!.resolve('done')
      await until(() => reported.length > 0)
      expect(reported).toEqual([expect.objectContaining({ code: 'STORAGE_FAILED' })])
      expect(store.fired.map((f) => f.method)).toEqual(['commit', 'claimRun'])
      expect(await lockIsFree(store.name, run.runId)).toBe(true)
      expect((await store.getRun(run.runId))!.status).toBe('running')
    })
  })

  describe('maxConcurrentRuns counts only runs with work executing (D13)', () => {
    const holders = {
      'a paused run': { a: { action: 'broken', onError: 'pause', retry: { maxAttempts: 1 } } },
      'a run whose task waits on a delay': { a: { action: 'delay', params: { ms: 60_000 } } },
      'a run whose task waits for an event': { a: { action: 'wait-for-event', params: { event: 'go' } } },
      'a run in retry back-off': {
        a: { action: 'broken', retry: { maxAttempts: 3, initialDelayMs: 60_000 } },
      },
    }
    it.each(Object.entries(holders))('%s does not keep the next run queued', async (_, tasks) => {
      const slow = controllable()
      const broken = () => {
        throw new Error('no')
      }
      const { engine } = open({ maxConcurrentRuns: 1, actions: { slow: slow.handler, broken } })
      await engine.register(def(tasks, { id: 'holder' }))
      await engine.register(def({ a: { action: 'slow' } }))
      const holder = await engine.start('holder')
      const next = await engine.start('wf')
      await engine.idle()
      expect(slow.calls).toHaveLength(1)
      expect((await engine.getRun(next.runId))!.status).toBe('running')
      // Once it executes again, the limit holds for runs queued after that.
      const third = await engine.start('wf')
      expect(third.status).toBe('queued')
      slow.calls[0]!.resolve('done')
      await engine.wait(next.runId)
      await engine.idle()
      expect((await engine.getRun(third.runId))!.status).toBe('running')
      expect((await engine.getRun(holder.runId))!.status).not.toBe('queued')
    })

    it('a run with a task executing still holds its slot', async () => {
      const slow = controllable()
      const { engine } = open({ maxConcurrentRuns: 1, actions: { slow: slow.handler } })
      await engine.register(def({ a: { action: 'slow' }, b: { action: 'delay', params: { ms: 60_000 } } }))
      await engine.start('wf')
      const next = await engine.start('wf')
      await engine.idle()
      expect(next.status).toBe('queued')
      expect((await engine.getRun(next.runId))!.status).toBe('queued')
      expect(slow.calls).toHaveLength(1)
    })
  })
  it('a start() during recover() waits behind the recovered queued runs, which start in order of creation (S10)', async () => {
    const store = gatedStore(memoryStore())
    const before = open({ store, maxConcurrentRuns: 1, actions: { slow: controllable().handler } })
    await before.engine.register(def({ a: { action: 'slow' } }))
    const first = await before.engine.start('wf', {}, { runId: 'first' })
    before.clock.advance(1)
    await before.engine.start('wf', {}, { runId: 'second' })
    before.clock.advance(1)
    await before.engine.start('wf', {}, { runId: 'third' })
    await before.engine.idle()
    expect(first.status).toBe('running')
    await before.engine.close()

    const slow = controllable()
    const { engine, clock } = open({ store, maxConcurrentRuns: 1, actions: { slow: slow.handler } })
    clock.advance(10)
    const claim = store.hold('claimRuns')
    const recovering = engine.recover()
    await claim.reached
    const late = await engine.start('wf', {}, { runId: 'late' })
    claim.open()
    expect(late.status).toBe('queued')
    await recovering
    await engine.idle()
    const started = () => slow.calls.map((call) => call.ctx.idempotencyKey.split(':')[0])
    // The recovered run resumes its task; the queued ones follow one at a time, oldest first.
    expect(started()).toEqual(['first'])
    for (const [i, next] of ['second', 'third', 'late'].entries()) {
      slow.calls.at(-1)!.resolve('done')
      await until(() => started().at(-1) === next)
      await engine.idle()
      // One slot: each completion starts exactly one queued run.
      expect(started()).toHaveLength(i + 2)
    }
    expect(started()).toEqual(['first', 'second', 'third', 'late'])
  })
})
