import { type Engine, memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { gatedStore } from '../store/gated-store'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

const testEngine = testEngines()

/** a, then b (held open by the test); both are compensated by `undo` (held open by the test too). */
const chain = def(
  {
    a: { action: 'book', params: { what: 'a' }, compensate: { action: 'undo', params: { what: 'a' } } },
    b: { action: 'slow', dependsOn: ['a'], compensate: { action: 'undo', params: { what: 'b' } } },
  },
  { output: 'tasks.b.output', defaults: { retry: { maxAttempts: 1 } } },
)

async function setUp() {
  const store = gatedStore(memoryStore())
  const slow = controllable()
  const undo = controllable()
  const booked: string[] = []
  const { engine } = testEngine({
    store,
    actions: {
      book: ({ what }: { what: string }) => {
        booked.push(what)
        return what
      },
      slow: slow.handler,
      undo: undo.handler,
    },
  })
  await engine.register(chain)
  await engine.start('wf', {}, { runId: 'src' })
  await until(() => slow.calls.length === 1)
  return { store, engine, slow, undo, booked }
}

const wholeJournal = async (engine: Engine, runId: string) => {
  const history = await engine.history(runId)
  expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  return history
}

describe('fork racing a rollback of its source', () => {
  it('forks from the journal as it stands while the rollback compensates; the rollback then undoes only the source', async () => {
    const { engine, slow, undo } = await setUp()
    slow.calls[0]!.resolve('b')
    await engine.wait('src')
    const rolling = engine.rollback('src', 'src:0')
    await until(() => undo.calls.length === 1)
    // The compensation of b is under way: nothing of the rollback is written yet.
    const fork = await engine.fork('src', undefined, { runId: 'copy' })
    undo.calls[0]!.resolve(null)
    await until(() => undo.calls.length === 2)
    undo.calls[1]!.resolve(null)
    await rolling
    expect((await engine.wait('copy')).output).toBe('b')
    expect(fork.runId).toBe('copy')
    const copy = await wholeJournal(engine, 'copy')
    expect(copy.some((e) => e.rolledBack)).toBe(false)
    const source = await wholeJournal(engine, 'src')
    expect(source.at(-1)).toMatchObject({ type: 'workflow.rolled-back', toSeq: 1 })
    // What the fork was made from is undone in the source now: a second fork from it is refused.
    const forked = copy.find((e) => e.type === 'workflow.forked') as { checkpointId: string }
    await expect(engine.fork('src', forked.checkpointId)).rejects.toMatchObject({ code: 'INVALID_STATE' })
  })

  it('rolls back a source whose journal a fork is reading: the fork keeps what it read', async () => {
    const { store, engine, slow, undo } = await setUp()
    slow.calls[0]!.resolve('b')
    await engine.wait('src')
    const read = store.hold('readJournal', (runId) => runId === 'src', 'after')
    const forking = engine.fork('src', undefined, { runId: 'copy' })
    await read.reached
    const rolling = engine.rollback('src', 'src:0')
    await until(() => undo.calls.length === 1)
    undo.calls[0]!.resolve(null)
    await until(() => undo.calls.length === 2)
    undo.calls[1]!.resolve(null)
    await rolling
    read.open()
    await forking
    expect(await engine.wait('copy')).toMatchObject({ status: 'completed', output: 'b' })
    await wholeJournal(engine, 'copy')
    await wholeJournal(engine, 'src')
  })
})

describe('fork racing its running source', () => {
  it('forks a run whose completion is being written: the fork carries it only once it is stored', async () => {
    const { store, engine, slow, booked } = await setUp()
    const gate = store.hold('commit', (batch) => batch.entries.some((e) => e.type === 'task.completed'))
    slow.calls[0]!.resolve('b')
    await gate.reached
    const forking = engine.fork('src', undefined, { runId: 'copy' })
    gate.open()
    await forking
    expect(await engine.wait('copy')).toMatchObject({ status: 'completed', output: 'b' })
    const forked = (await engine.history('copy')).find((e) => e.type === 'workflow.forked')
    expect(forked).toMatchObject({
      completed: [expect.objectContaining({ taskId: 'a' }), expect.objectContaining({ taskId: 'b' })],
    })
    expect(booked).toEqual(['a'])
    expect(slow.calls).toHaveLength(1)
  })
})

describe('fork racing close()', () => {
  it('a fork whose first write is in flight at close() is stored whole or not at all', async () => {
    const { store, engine, slow } = await setUp()
    slow.calls[0]!.resolve('b')
    await engine.wait('src')
    const first = store.hold('commit', (batch) => batch.entries.some((e) => e.type === 'workflow.forked'))
    const forking = engine.fork('src', undefined, { runId: 'copy' }).then(
      () => undefined,
      (error: unknown) => error,
    )
    await first.reached
    const closing = engine.close()
    first.open()
    await closing
    const error = await forking
    const copy = await store.readJournal('copy')
    if (error !== undefined) expect(copy).toEqual([])
    else expect(copy.map((e) => e.type).slice(0, 2)).toEqual(['workflow.forked', 'workflow.started'])
    expect(copy.length === 0).toBe((await store.getRun('copy')) === undefined)
    const next = testEngine({
      store,
      recover: true,
      actions: { book: () => 'x', slow: slow.handler, undo: () => null },
    })
    await next.engine.idle()
    if (copy.length > 0) expect((await next.engine.wait('copy')).output).toBe('b')
    else
      await expect(next.engine.fork('src', undefined, { runId: 'copy' })).resolves.toMatchObject({
        runId: 'copy',
      })
  })
})
