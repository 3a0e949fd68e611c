import { filter } from 'rxjs'
import { createEngine, isRunEvent, memoryStore, type WorkflowEvent } from 'spindle'
import { describe, expect, it, vi } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { controllable, def, testEngine, until } from '../support/engine-fixtures'

/** A run with many journal entries (one per forEach item), so that batches carry snapshots. */
const manyEntries = {
  list: { action: 'transform', params: { value: Array.from({ length: 30 }, (_, i) => i) } },
  each: {
    action: 'transform',
    dependsOn: ['list'],
    forEach: 'tasks.list.output',
    params: { value: '${ item }' },
  },
  nap: { action: 'delay', dependsOn: ['each'], params: { ms: 1000 } },
}

/** a (held open by the test) → b. The store fails as the test says. */
async function setUp(b: Record<string, unknown> = {}) {
  const inner = memoryStore()
  const store = faultyStore(inner, [])
  const slow = controllable()
  const runsOfB: number[] = []
  const { engine } = testEngine({
    store,
    snapshotEvery: 1,
    actions: { slow: slow.handler, b: (_: unknown, ctx: { attempt: number }) => runsOfB.push(ctx.attempt) },
  })
  await engine.register(
    def({ a: { action: 'slow' }, b: { action: 'b', dependsOn: ['a'], ...b } }, { output: 'tasks.a.output' }),
  )
  const events: WorkflowEvent[] = []
  engine.events$.pipe(filter(isRunEvent)).subscribe((e) => events.push(e))
  const run = await engine.start('wf')
  await engine.idle()
  return { engine, store, inner, slow, events, run, runsOfB }
}

describe('storage failures', () => {
  it('a completion whose write fails is not published, and the run pauses with STORAGE_FAILED', async () => {
    const { engine, store, inner, slow, events, run, runsOfB } = await setUp()
    store.inject({ method: 'commit', entryType: 'task.completed', at: 'before' })
    slow.calls[0]!.resolve('out-1')
    await engine.idle()
    expect(events.some((e) => e.type === 'task.completed')).toBe(false)
    expect(runsOfB).toEqual([])
    const paused = events.find((e) => e.type === 'workflow.paused')
    expect(paused).toMatchObject({
      reason: expect.stringMatching(/^STORAGE_FAILED/),
      error: { code: 'STORAGE_FAILED' },
    })
    expect((await inner.readJournal(run.runId)).some((e) => e.type === 'task.completed')).toBe(false)
    const view = (await engine.getRun(run.runId))!
    expect(view.status).toBe('paused')
    expect(view.tasks.a!.status).toBe('running')

    await engine.resume(run.runId)
    await engine.idle()
    expect(slow.calls).toHaveLength(2)
    expect(slow.calls[1]!.ctx.attempt).toBe(2)
    slow.calls[1]!.resolve('out-2')
    const done = await engine.wait(run.runId)
    expect(done.output).toBe('out-2')
    expect(runsOfB).toEqual([1])
  })

  it('a write that committed but reported failure keeps its completion, with no phantom event', async () => {
    const { engine, store, inner, slow, events, run, runsOfB } = await setUp()
    store.inject({ method: 'commit', entryType: 'task.completed', at: 'after' })
    slow.calls[0]!.resolve('out-1')
    await engine.idle()
    expect(events.some((e) => e.type === 'task.completed' && e.taskId === 'a')).toBe(false)
    expect((await inner.readJournal(run.runId)).some((e) => e.type === 'task.completed')).toBe(true)
    // Reloaded as stored: a completed; b, recorded as started with it, was in flight. The run
    // pauses, and b — in flight, as a pause lets it — runs once (attempt 2: attempt 1 was cut
    // off before it ran) and the run completes. a never runs again.
    expect(events.find((e) => e.type === 'workflow.paused')).toMatchObject({
      error: { code: 'STORAGE_FAILED' },
    })
    const done = await engine.wait(run.runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.a).toMatchObject({ status: 'completed', output: 'out-1' })
    expect(done.output).toBe('out-1')
    expect(slow.calls).toHaveLength(1)
    expect(runsOfB).toEqual([2])
  })

  it('a run whose completion fails to write right after its start record committed is reloaded, not dropped', async () => {
    // A single quick task: its completion is queued before start() hears that the start committed.
    const inner = memoryStore()
    const store = faultyStore(inner, { method: 'commit', entryType: 'task.completed' })
    const { engine } = testEngine({ store })
    await engine.register(def({ a: { action: 'noop' } }))
    const run = await engine.start('wf')
    // Reloaded and paused, its cut-off task runs again (a pause lets it) and the run completes;
    // dropped, it would stay `running` in the store with no engine to run it.
    await until(async () => (await engine.getRun(run.runId))?.status === 'completed')
    const journal = await inner.readJournal(run.runId)
    expect(journal.find((e) => e.type === 'workflow.paused')).toMatchObject({
      error: { code: 'STORAGE_FAILED' },
    })
  })

  it('a failed start record pauses the run; nothing is lost', async () => {
    // With a `when`, b's start is decided after a's completion is written: a batch of its own.
    const { engine, store, inner, slow, run } = await setUp({ when: "tasks.a.output == 'out-1'" })
    slow.calls[0]!.resolve('out-1')
    store.inject({ method: 'commit', entryType: 'task.started', at: 'before' })
    await engine.idle()
    const view = (await engine.getRun(run.runId))!
    expect(view.status).toBe('paused')
    expect(view.tasks.a).toMatchObject({ status: 'completed', output: 'out-1' })
    await engine.resume(run.runId)
    expect((await engine.wait(run.runId)).status).toBe('completed')
    // Nothing after the lost entry was written: the journal has no gap.
    const seqs = (await inner.readJournal(run.runId)).map((e) => e.seq)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
  })

  it('while the store keeps failing the run is left as stored, and recover() resumes it later', async () => {
    const { engine, store, slow, events, run } = await setUp()
    store.inject({ method: 'commit', at: 'before', times: Number.POSITIVE_INFINITY })
    const reported: unknown[] = []
    const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    slow.calls[0]!.resolve('out-1')
    await engine.idle()
    spy.mockRestore()
    expect(events.some((e) => e.type === 'task.completed' || e.type === 'workflow.paused')).toBe(false)
    // The pause could not be written either: that is reported, not swallowed.
    expect(reported).toEqual([expect.objectContaining({ code: 'STORAGE_FAILED' })])
    store.heal()
    const resumed = await engine.recover()
    expect(resumed.map((r) => r.runId)).toEqual([run.runId])
    await engine.idle()
    slow.calls.at(-1)!.resolve('out-2')
    expect((await engine.wait(run.runId)).output).toBe('out-2')
  })

  it('writes a snapshot in the same transaction as its entries: a failed batch leaves neither', async () => {
    const inner = memoryStore()
    const store = faultyStore(inner, [])
    const { engine } = testEngine({ store, snapshotEvery: 1 })
    await engine.register(def(manyEntries))
    store.inject({ method: 'commit', when: (batch) => batch.snapshots.length > 0, at: 'before' })
    const run = await engine.start('wf').catch(() => undefined)
    await engine.idle()
    expect(store.fired).toHaveLength(1)
    const runId = (await inner.listRuns())[0]!.runId
    const journal = await inner.readJournal(runId)
    const snapshot = await inner.latestSnapshot(runId)
    // Whatever was written, a snapshot never claims a position the journal does not have.
    expect(snapshot === undefined || journal.some((e) => e.seq === snapshot.seq)).toBe(true)
    expect(run === undefined || run.runId === runId).toBe(true)
  })

  it('recovers exactly from a snapshot written by a batch whose success was not reported', async () => {
    const inner = memoryStore()
    const store = faultyStore(inner, [])
    const { engine, clock } = testEngine({ store, snapshotEvery: 1 })
    await engine.register(def(manyEntries))
    store.inject({ method: 'commit', when: (batch) => batch.snapshots.length > 0, at: 'after' })
    await engine.start('wf', {}, { runId: 'snap' }).catch(() => {})
    await engine.idle()
    expect(store.fired).toHaveLength(1)
    expect(await inner.latestSnapshot('snap')).toBeDefined()
    await engine.idle()
    const before = (await engine.runSnapshot('snap'))!
    expect(before.state.status).toBe('paused')
    await engine.close()
    // Restored from the snapshot that batch wrote, plus the journal after it: the same state.
    const again = testEngine({ store: inner, clock, recover: false }).engine
    const restored = (await again.runSnapshot('snap'))!
    expect(restored.state).toEqual(before.state)
    await again.resume('snap')
    await engine.idle()
    clock.advance(1000)
    const done = await again.wait('snap')
    expect(done.status).toBe('completed')
    expect(done.tasks.each!.output).toEqual(Array.from({ length: 30 }, (_, i) => i))
  })
})

describe('the first recovery', () => {
  it('reports its failure instead of swallowing it; a later recover() works', async () => {
    const reported: unknown[] = []
    const spy = vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
    try {
      const store = faultyStore(memoryStore(), { method: 'listRuns' })
      const engine = createEngine({ store })
      await engine.idle()
      expect(reported).toHaveLength(1)
      expect(reported[0]).toMatchObject({ code: 'STORAGE_FAILED' })
      expect(await engine.recover()).toEqual([])
      await engine.close()
    } finally {
      spy.mockRestore()
    }
  })
})
