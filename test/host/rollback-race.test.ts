import { filter } from 'rxjs'
import { type Engine, isRunEvent, memoryStore, type Store, type WorkflowEvent } from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RunExecutor } from '../../src/runtime/run-executor'
import { type GatedStore, gatedStore } from '../store/gated-store'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngine, until } from '../support/engine-fixtures'

async function holdsLock(store: Store, runId: string): Promise<boolean> {
  const { held = [] } = await navigator.locks.query()
  return held.some((lock) => lock.name === `spindle:${store.name}:run:${runId}`)
}

/**
 * Starts `rollback` and resolves, with its promise, once it has fenced the live run (the
 * executor takes no more events and waits for its queued commits).
 */
async function fencing<T>(rollback: () => Promise<T>): Promise<{ rolling: Promise<T> }> {
  const fence = vi.spyOn(RunExecutor.prototype, 'fence')
  try {
    const rolling = rollback()
    await until(() => fence.mock.calls.length > 0)
    return { rolling }
  } finally {
    fence.mockRestore()
  }
}

const undo = (id: string) => ({ action: 'undo', params: { what: id } })

/** a and b side by side (b held open by the test), then c; every task is compensated. */
const joined = def({
  a: { action: 'book', params: { what: 'a' }, compensate: undo('a') },
  b: { action: 'slow', compensate: undo('b') },
  c: { action: 'book', dependsOn: ['a', 'b'], params: { what: 'c' }, compensate: undo('c') },
})

/** a, then b (held open by the test), which ends the run. */
const chain = def({
  a: { action: 'book', params: { what: 'a' }, compensate: undo('a') },
  b: { action: 'slow', dependsOn: ['a'], compensate: undo('b') },
})

const kinds: [string, (temp: ReturnType<typeof tempStores>) => Store][] = [
  ['memory store', () => memoryStore()],
  ['IndexedDB', (temp) => temp.open()],
]

describe.each(kinds)('rollback racing the run (%s)', (_, makeStore) => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  async function setUp(definition: unknown) {
    const store: GatedStore = gatedStore(makeStore(temp))
    const slow = controllable()
    const undone: string[] = []
    const actions = {
      book: (params: { what: string }) => params.what,
      slow: slow.handler,
      undo: (params: { what: string }) => {
        undone.push(params.what)
        return null
      },
    }
    const { engine } = testEngine({ store, actions })
    const other = testEngine({ store, actions }).engine
    engines.push(engine, other)
    const published: WorkflowEvent[] = []
    engine.events$.pipe(filter(isRunEvent)).subscribe((e) => published.push(e))
    await engine.register(definition)
    const run = await engine.start('wf', {}, { runId: 'trip' })
    await until(async () => slow.calls.length === 1 && (await engine.checkpoints('trip')).length > 0)
    const afterA = (await engine.checkpoints('trip')).find((c) => c.reason === 'task a completed')!
    return { store, slow, undone, engine, other, published, run, afterA }
  }

  /** What must hold after any rollback, whatever raced it. */
  async function expectConsistent(
    engine: Engine,
    published: WorkflowEvent[],
    undone: string[],
    toSeq: number,
  ) {
    const history = await engine.history('trip')
    const seqs = history.map((e) => e.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    // Nothing published is ever erased from the journal.
    for (const event of published) {
      expect(history).toContainEqual(expect.objectContaining({ seq: event.seq, type: event.type }))
    }
    const rolledBack = published.filter((e) => e.type === 'workflow.rolled-back')
    expect(rolledBack).toHaveLength(1)
    const before = published.slice(0, published.indexOf(rolledBack[0]!))
    expect(rolledBack[0]!.seq).toBeGreaterThan(Math.max(...before.map((e) => e.seq)))
    // Every published completion after the checkpoint was compensated, newest first.
    const completedAfter = before
      .filter((e) => e.type === 'task.completed' && e.seq > toSeq)
      .map((e) => (e as { taskId: string }).taskId)
    expect(undone).toEqual(completedAfter.reverse())
    for (const entry of history.slice(0, -1)) {
      if (entry.seq > toSeq) expect(entry.rolledBack).toBe(true)
    }
  }

  it('compensates a completion whose commit is in flight when the rollback starts', async () => {
    const { store, slow, undone, engine, published, afterA } = await setUp(joined)
    const gate = store.hold('commit', (batch) =>
      batch.entries.some((e) => e.type === 'task.completed' && e.taskId === 'b'),
    )
    slow.calls[0]!.resolve('b')
    await gate.reached
    const { rolling } = await fencing(() => engine.rollback('trip', afterA.checkpointId))
    gate.open()
    expect(await rolling).toMatchObject({ status: 'paused' })
    expect(undone).toEqual(['b'])
    await expectConsistent(engine, published, undone, afterA.seq)
    await engine.resume('trip')
    await until(() => slow.calls.length === 2)
    slow.calls[1]!.resolve('b again')
    expect((await engine.wait('trip')).status).toBe('completed')
  })

  it('never undoes a completion that lands while the rollback reads the journal', async () => {
    const { store, slow, undone, engine, other, published, afterA } = await setUp(joined)
    const gate = store.hold('readJournal', (runId) => runId === 'trip', 'after')
    const rolling = engine.rollback('trip', afterA.checkpointId)
    await gate.reached
    slow.calls[0]!.resolve('b')
    // The completion either finishes the run at once or finds the run fenced.
    await until(
      () => published.some((e) => e.type === 'workflow.completed') || slow.calls[0]!.ctx.signal.aborted,
    )
    await engine.idle()
    gate.open()
    expect(await rolling).toMatchObject({ status: 'paused' })
    await expectConsistent(engine, published, undone, afterA.seq)
    expect(await holdsLock(store, 'trip')).toBe(true)
    await expect(other.resume('trip')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect((await engine.getRun('trip'))!.status).toBe('paused')
  })

  it('rolls back a run that completes while the rollback is under way, and keeps its lock', async () => {
    const { store, slow, undone, engine, other, published, afterA } = await setUp(chain)
    const waited = engine.wait('trip')
    const gate = store.hold('commit', (batch) => batch.entries.some((e) => e.type === 'workflow.completed'))
    slow.calls[0]!.resolve('b')
    await gate.reached
    const { rolling } = await fencing(() => engine.rollback('trip', afterA.checkpointId))
    gate.open()
    expect(await rolling).toMatchObject({ status: 'paused' })
    expect((await waited).status).toBe('completed')
    expect(undone).toEqual(['b'])
    await expectConsistent(engine, published, undone, afterA.seq)
    const types = (await engine.history('trip')).map((e) => e.type)
    expect(types.indexOf('workflow.completed')).toBeLessThan(types.indexOf('workflow.rolled-back'))
    expect(await holdsLock(store, 'trip')).toBe(true)
    await expect(other.resume('trip')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await engine.resume('trip')
    await until(() => slow.calls.length === 2)
    slow.calls[1]!.resolve('b again')
    expect((await engine.wait('trip')).status).toBe('completed')
  })
})

describe('rollback racing close()', () => {
  it('stops when the engine closes during a compensation: the run stays as stored and another engine takes it', async () => {
    const store = memoryStore()
    const undo = controllable()
    const slow = controllable()
    const actions = {
      book: (params: { what: string }) => params.what,
      slow: slow.handler,
      undo: undo.handler,
    }
    const { engine } = testEngine({ store, actions })
    await engine.register(chain)
    await engine.start('wf', {}, { runId: 'trip' })
    await until(() => slow.calls.length === 1)
    const rolling = engine.rollback('trip', 'trip:0')
    await until(() => undo.calls.length === 1)
    const before = await store.readJournal('trip')
    const closing = engine.close()
    undo.calls[0]!.resolve(null)
    await expect(rolling).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
    await closing
    await engine.idle()
    expect(await store.readJournal('trip')).toEqual(before)
    expect(await holdsLock(store, 'trip')).toBe(false)

    const next = testEngine({ store, actions }).engine
    const again = next.rollback('trip', 'trip:0')
    await until(() => undo.calls.length === 2)
    undo.calls[1]!.resolve(null)
    await expect(again).resolves.toMatchObject({ status: 'paused' })
    expect(undo.calls.map((c) => c.ctx.idempotencyKey)).toEqual(['trip:a:compensate', 'trip:a:compensate'])
    await next.close()
  })
})
