import {
  ArgumentError,
  type Engine,
  ForbiddenError,
  InputError,
  InvalidStateError,
  NotFoundError,
  type Store,
} from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngines } from '../support/engine-fixtures'

const testEngine = testEngines()
const temp = tempStores()

/**
 * `a` takes `input.n` and keeps it in the shared state; `b` adds one to a's output and the state;
 * `c` is held open by the test (`slow`), then doubles b's output.
 */
const chain = def(
  {
    a: { action: 'count', params: { n: '${ input.n }', key: 'seen' } },
    b: { action: 'count', dependsOn: ['a'], params: { n: '${ tasks.a.output + 1 }', key: 'b' } },
    c: { action: 'slow', dependsOn: ['b'], params: { n: '${ tasks.b.output * 2 }' } },
  },
  {
    params: { n: { type: 'number', required: true } },
    output: 'tasks.c.output',
    defaults: { retry: { maxAttempts: 1 } },
  },
)

/** An engine whose `count` returns its `n` (and counts its calls) and whose `slow` the test finishes. */
function forkEngine(store?: Store, extra: Parameters<typeof testEngine>[0] = {}) {
  const executed: string[] = []
  const slow = controllable()
  const actions = {
    count: (params: { n: number; key: string }, ctx: any) => {
      executed.push(ctx.taskId)
      ctx.state.set(params.key, { n: params.n, seen: ctx.state.get('seen') ?? null })
      return params.n
    },
    slow: slow.handler,
  }
  const made = testEngine({ ...(store && { store }), actions, ...extra })
  return { ...made, executed, slow }
}

/** A completed run `src` of `chain` with n = 1: a = 1, b = 2, c = 4. */
async function completedSource(engine: Engine, slow: ReturnType<typeof controllable>) {
  await engine.register(chain)
  await engine.start('wf', { n: 1 }, { runId: 'src' })
  await engine.idle()
  slow.calls.at(-1)!.resolve(slow.calls.at(-1)!.params.n)
  const done = await engine.wait('src')
  expect(done).toMatchObject({ status: 'completed', output: 4 })
  return { history: await engine.history('src'), checkpoints: await engine.checkpoints('src') }
}

describe('fork', () => {
  it('starts a new run from a checkpoint of a completed run: outputs up to it carried, the rest run again', async () => {
    const { engine, executed, slow } = forkEngine()
    const source = await completedSource(engine, slow)
    const afterA = source.checkpoints.find((c) => c.reason === 'task a completed')!
    executed.length = 0
    const forked = await engine.as('ann').fork('src', afterA.checkpointId, { runId: 'copy' })
    expect(forked).toMatchObject({ runId: 'copy', definitionId: 'wf', version: '1.0.0', principal: 'ann' })
    await engine.idle()
    expect(executed).toEqual(['b'])
    slow.calls.at(-1)!.resolve(slow.calls.at(-1)!.params.n)
    const view = await engine.wait('copy')
    expect(view).toMatchObject({ status: 'completed', output: 4, input: { n: 1 } })
    expect(view.tasks.a).toMatchObject({ status: 'completed', output: 1 })
    const history = await engine.history('copy')
    expect(history[0]).toMatchObject({
      type: 'workflow.forked',
      fromRunId: 'src',
      checkpointId: afterA.checkpointId,
      by: 'ann',
      seq: 1,
    })
    expect(history.filter((e) => e.type === 'task.started').map((e) => e.taskId)).toEqual(['b', 'c'])
    // The source and its history are untouched.
    expect(await engine.history('src')).toEqual(source.history)
    expect(await engine.checkpoints('src')).toEqual(source.checkpoints)
  })

  it('carries the shared state as it was at the checkpoint', async () => {
    const { engine, slow } = forkEngine()
    const source = await completedSource(engine, slow)
    const afterA = source.checkpoints.find((c) => c.reason === 'task a completed')!
    await engine.fork('src', afterA.checkpointId, { runId: 'copy', input: { n: 10 } })
    await engine.idle()
    // b ran again in the fork, with a's output and a's state entry carried over.
    expect(slow.calls.at(-1)!.params.n).toBe(4)
    const b = (await engine.history('copy')).find((e) => e.type === 'task.completed' && e.taskId === 'b')
    expect(b).toMatchObject({ output: 2, state: { b: { n: 2, seen: { n: 1, seen: null } } } })
  })

  it('forks from the latest checkpoint by default: a completed run forks into a completed copy, running nothing', async () => {
    const { engine, executed, slow } = forkEngine()
    await completedSource(engine, slow)
    executed.length = 0
    const calls = slow.calls.length
    const forked = await engine.fork('src')
    const view = await engine.wait(forked.runId)
    expect(view).toMatchObject({ status: 'completed', output: 4 })
    expect(executed).toEqual([])
    expect(slow.calls).toHaveLength(calls)
    expect((await engine.history(forked.runId))[0]).toMatchObject({
      type: 'workflow.forked',
      checkpointId: (await engine.checkpoints('src')).at(-1)!.checkpointId,
    })
  })

  it('re-runs everything from `runId:0`, with other input checked against the params', async () => {
    const { engine, executed, slow } = forkEngine()
    await completedSource(engine, slow)
    executed.length = 0
    await expect(engine.fork('src', 'src:0', { input: { n: 'x' } })).rejects.toBeInstanceOf(InputError)
    expect((await engine.listRuns()).runs).toHaveLength(1)
    await engine.fork('src', 'src:0', { input: { n: 5 }, runId: 'again' })
    await engine.idle()
    expect(executed).toEqual(['a', 'b'])
    slow.calls.at(-1)!.resolve(slow.calls.at(-1)!.params.n)
    expect(await engine.wait('again')).toMatchObject({ status: 'completed', output: 12, input: { n: 5 } })
  })

  it('forks a run that is still running, from a checkpoint it passed', async () => {
    const { engine, executed, slow } = forkEngine()
    await engine.register(chain)
    await engine.start('wf', { n: 1 }, { runId: 'src' })
    await engine.idle()
    const before = await engine.history('src')
    const afterB = (await engine.checkpoints('src')).at(-1)!
    executed.length = 0
    await engine.fork('src', afterB.checkpointId, { runId: 'copy' })
    await engine.idle()
    expect(executed).toEqual([])
    expect(slow.calls).toHaveLength(2)
    expect(await engine.history('src')).toEqual(before)
    expect((await engine.getRun('src'))!.status).toBe('running')
  })

  it('refuses bad forks with typed errors, and changes nothing', async () => {
    const { engine, slow } = forkEngine(undefined, {
      authorize: ({ principal, verb }) => !(principal === 'bob' && verb === 'fork'),
    })
    const source = await completedSource(engine, slow)
    const runs = await engine.listRuns()
    await expect(engine.fork('nope')).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.fork('src', 'src:999')).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.fork('src', undefined, { runId: 'src' })).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.fork('src', 42 as never)).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.fork('src', undefined, { what: 1 } as never)).rejects.toBeInstanceOf(ArgumentError)
    await expect(engine.as('bob').fork('src')).rejects.toBeInstanceOf(ForbiddenError)
    // A checkpoint undone by a rollback is no checkpoint any more.
    const afterB = source.checkpoints.at(-2)!
    await engine.rollback('src', source.checkpoints[1]!.checkpointId)
    const rolled = await engine.history('src')
    await expect(engine.fork('src', afterB.checkpointId)).rejects.toBeInstanceOf(InvalidStateError)
    expect(await engine.history('src')).toEqual(rolled)
    expect((await engine.listRuns()).runs.map((r) => r.runId)).toEqual(runs.runs.map((r) => r.runId))
  })

  it('refuses to fork a queued run, which has no checkpoint yet', async () => {
    const { engine, slow } = forkEngine(undefined, { maxConcurrentRuns: 1 })
    await engine.register(chain)
    await engine.start('wf', { n: 1 }, { runId: 'first' })
    await engine.start('wf', { n: 1 }, { runId: 'waiting' })
    await engine.idle()
    expect(slow.calls).toHaveLength(1)
    await expect(engine.fork('waiting')).rejects.toBeInstanceOf(InvalidStateError)
    expect((await engine.listRuns()).runs).toHaveLength(2)
  })

  it('forks a run stored by an engine that is gone, and the fork survives a reload half-way (IndexedDB)', async () => {
    const store = temp.open()
    const first = forkEngine(store)
    await completedSource(first.engine, first.slow)
    await first.engine.close()

    const second = forkEngine(temp.open(store.name))
    const afterA = (await second.engine.checkpoints('src')).find((c) => c.reason === 'task a completed')!
    await second.engine.fork('src', afterA.checkpointId, { runId: 'copy', input: { n: 3 } })
    await second.engine.idle()
    expect(second.executed).toEqual(['b'])
    expect(second.slow.calls).toHaveLength(1)
    await second.engine.close()

    // c was in flight when the engine went: the next one recovers the fork and runs c again.
    const third = forkEngine(temp.open(store.name), { recover: true })
    await third.engine.idle()
    expect(third.executed).toEqual([])
    expect(third.slow.calls).toHaveLength(1)
    third.slow.calls[0]!.resolve(third.slow.calls[0]!.params.n)
    const view = await third.engine.wait('copy')
    expect(view).toMatchObject({ status: 'completed', output: 4, input: { n: 3 } })
    expect(view.tasks.a).toMatchObject({ status: 'completed', output: 1 })
    expect((await third.engine.getRun('src'))!.status).toBe('completed')
  })

  it('restores a fork from a snapshot taken after its first entry: the carried outputs come back (IndexedDB)', async () => {
    const store = temp.open()
    const first = forkEngine(store, { snapshotEvery: 1 })
    await completedSource(first.engine, first.slow)
    const afterB = (await first.engine.checkpoints('src')).find((c) => c.reason === 'task b completed')!
    await first.engine.fork('src', afterB.checkpointId, { runId: 'copy' })
    await first.engine.idle()
    // Signals nobody waits for add entries until the run takes a snapshot.
    for (let i = 0; i < 12; i++) await first.engine.signal('copy', 'noise', i)
    await first.engine.idle()
    expect((await store.latestSnapshot('copy'))!.seq).toBeGreaterThan(1)
    await first.engine.close()

    const second = forkEngine(temp.open(store.name), { recover: true })
    await second.engine.idle()
    expect(second.slow.calls.map((c) => c.params.n)).toEqual([4])
    second.slow.calls[0]!.resolve(8)
    expect(await second.engine.wait('copy')).toMatchObject({ status: 'completed', output: 8 })
    expect((await second.engine.getRun('copy'))!.tasks.b).toMatchObject({ status: 'completed', output: 2 })
  })

  it('forks a run another engine executes, which goes on undisturbed', async () => {
    const owner = forkEngine()
    await owner.engine.register(chain)
    await owner.engine.start('wf', { n: 1 }, { runId: 'src' })
    await owner.engine.idle()
    const before = await owner.engine.history('src')
    const other = forkEngine(owner.store)
    const afterB = (await other.engine.checkpoints('src')).at(-1)!
    await other.engine.fork('src', afterB.checkpointId, { runId: 'copy' })
    await other.engine.idle()
    expect(other.executed).toEqual([])
    expect(other.slow.calls.map((c) => c.params.n)).toEqual([4])
    other.slow.calls[0]!.resolve(40)
    expect(await other.engine.wait('copy')).toMatchObject({ status: 'completed', output: 40 })
    expect(await owner.engine.history('src')).toEqual(before)
    owner.slow.calls[0]!.resolve(4)
    expect(await owner.engine.wait('src')).toMatchObject({ status: 'completed', output: 4 })
  })

  it("starts a carried task's dependents by their trigger rule: a one-success join runs after the one it carried", async () => {
    const { engine, slow } = forkEngine()
    await engine.register(
      def(
        {
          a: { action: 'count', params: { n: 1, key: 'a' } },
          b: { action: 'slow' },
          join: {
            action: 'count',
            dependsOn: ['a', 'b'],
            trigger: 'one-success',
            params: { n: 3, key: 'j' },
          },
        },
        { id: 'either' },
      ),
    )
    await engine.start('either', {}, { runId: 'src' })
    await engine.idle()
    const afterA = (await engine.checkpoints('src')).find((c) => c.completedTasks.join() === 'a')!
    const fork = await engine.fork('src', afterA.checkpointId)
    await engine.idle()
    // `join` runs on `a` alone, while `b` is still held in the fork as in the source.
    expect((await engine.getRun(fork.runId))!.tasks.join).toMatchObject({ status: 'completed', output: 3 })
    for (const call of slow.calls) call.resolve('b')
    expect((await engine.wait(fork.runId)).status).toBe('completed')
  })
})
