import { createEngine, defineAction, type Engine, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

/** A versioned action that counts its calls and answers with its params and the call number. */
function counted() {
  const calls: unknown[] = []
  const action = defineAction({
    version: '1',
    run: (params: { n?: number }) => {
      calls.push(params)
      return { n: params.n, call: calls.length }
    },
  })
  return { action, calls }
}

const priced = {
  p: { action: 'price', params: { n: '${ input.n }' }, cache: { ttlMs: 3_600_000 } },
  q: { action: 'after', dependsOn: ['p'], params: { got: '${ tasks.p.output.call }' } },
}

describe('result cache hits (task.cached)', () => {
  const open = testEngines()

  it('journals a hit as task.cached, which the run takes as a completion; the view names the source', async () => {
    const { action, calls } = counted()
    const seen: unknown[] = []
    const after = (params: { got: number }) => {
      seen.push(params.got)
      return params.got
    }
    const { engine } = open({ actions: { price: action, after } })
    await engine.register(def(priced))
    await engine.wait((await engine.start('wf', { n: 1 }, { runId: 'r1' })).runId)
    const view = await engine.wait((await engine.start('wf', { n: 1 }, { runId: 'r2' })).runId)
    expect(calls).toHaveLength(1)
    expect(view.status).toBe('completed')
    expect(view.tasks.p).toMatchObject({ status: 'completed', output: { n: 1, call: 1 } })
    expect(view.tasks.p!.cached).toEqual({ fromRunId: 'r1', taskId: 'p' })
    expect(view.tasks.q!.cached).toBeUndefined()
    expect(seen).toEqual([1, 1])
    expect(view.progress).toMatchObject({ completed: 2, total: 2 })

    const history = await engine.history('r2')
    expect(history.filter((e) => 'taskId' in e && e.taskId === 'p').map((e) => e.type)).toEqual([
      'task.started',
      'task.cached',
    ])
    expect(history.find((e) => e.type === 'task.cached')).toMatchObject({
      taskId: 'p',
      attempt: 1,
      output: { n: 1, call: 1 },
      fromRunId: 'r1',
      fromTaskId: 'p',
    })
    const checkpoints = await engine.checkpoints('r2')
    expect(checkpoints[1]).toMatchObject({
      completedTasks: ['p'],
      reason: 'task p completed from the result cache',
    })
    expect((await engine.getRun('r1'))!.tasks.p!.cached).toBeUndefined()
  })

  it('a hit still works once the source run is purged: the entry holds the output itself', async () => {
    const { action, calls } = counted()
    const { engine } = open({ actions: { price: action, after: () => null } })
    await engine.register(def(priced))
    await engine.wait((await engine.start('wf', { n: 7 }, { runId: 'source' })).runId)
    expect(await engine.purge({ status: ['completed'] })).toBe(1)
    expect(await engine.getRun('source')).toBeUndefined()
    const view = await engine.wait((await engine.start('wf', { n: 7 }, { runId: 'hit' })).runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.p).toMatchObject({
      output: { n: 7, call: 1 },
      cached: { fromRunId: 'source', taskId: 'p' },
    })
    expect(calls).toHaveLength(1)
  })

  it('rolling back past a cached task compensates it and marks task.cached rolled back; resumed, it hits again', async () => {
    const { action, calls } = counted()
    const undone: unknown[] = []
    let declined = false
    const actions = {
      price: action,
      undo: (params: { of: unknown }) => {
        undone.push(params.of)
        return null
      },
      after: () => {
        if (declined) throw new Error('declined')
        return 'paid'
      },
    }
    const { engine } = open({ actions })
    await engine.register(
      def({
        p: { ...priced.p, compensate: { action: 'undo', params: { of: '${ tasks.p.output.call }' } } },
        q: { action: 'after', dependsOn: ['p'], retry: { maxAttempts: 1 } },
      }),
    )
    await engine.wait((await engine.start('wf', { n: 1 }, { runId: 'r1' })).runId)
    declined = true
    expect((await engine.wait((await engine.start('wf', { n: 1 }, { runId: 'r2' })).runId)).status).toBe(
      'failed',
    )
    await engine.rollback('r2', 'r2:0')
    expect(undone).toEqual([1])
    const paused = (await engine.getRun('r2'))!
    expect(paused.status).toBe('paused')
    expect(paused.tasks.p!.status).toBe('pending')
    expect(paused.tasks.p!.cached).toBeUndefined()
    const history = await engine.history('r2')
    expect(history.find((e) => e.type === 'task.cached')).toMatchObject({ taskId: 'p', rolledBack: true })

    declined = false
    await engine.resume('r2')
    const done = await engine.wait('r2')
    expect(done.status).toBe('completed')
    expect(done.tasks.p!.cached).toEqual({ fromRunId: 'r1', taskId: 'p' })
    expect(calls).toHaveLength(1)
    const live = (await engine.history('r2')).filter((e) => e.type === 'task.cached' && !e.rolledBack)
    expect(live).toHaveLength(1)
  })
})

describe('forEach tasks and the result cache', () => {
  const open = testEngines()

  it('caches each item under a key of its own: a hit is a task.item-completed naming its source', async () => {
    const { action, calls } = counted()
    const { engine } = open({ actions: { price: action } })
    await engine.register(
      def({
        each: {
          action: 'price',
          forEach: 'input.items',
          params: { n: '${ item }' },
          cache: { ttlMs: 60_000 },
        },
      }),
    )
    const itemsOf = async (runId: string) =>
      (await engine.history(runId)).flatMap((entry) =>
        entry.type === 'task.item-completed' ? [{ index: entry.index, cached: entry.cached }] : [],
      )
    const first = await engine.wait((await engine.start('wf', { items: [1, 2] }, { runId: 'r1' })).runId)
    expect(first.tasks.each!.output).toEqual([
      { n: 1, call: 1 },
      { n: 2, call: 2 },
    ])
    expect((await itemsOf('r1')).every((item) => item.cached === undefined)).toBe(true)

    const second = await engine.wait((await engine.start('wf', { items: [2, 1] }, { runId: 'r2' })).runId)
    expect(second.tasks.each!.output).toEqual([
      { n: 2, call: 2 },
      { n: 1, call: 1 },
    ])
    expect(calls).toHaveLength(2)
    expect((await itemsOf('r2')).map((item) => item.cached)).toEqual([
      { fromRunId: 'r1', fromTaskId: 'each' },
      { fromRunId: 'r1', fromTaskId: 'each' },
    ])
    // The task itself ran (its items did not all come from the cache as one): no task.cached.
    expect(second.tasks.each!.cached).toBeUndefined()

    const third = await engine.wait((await engine.start('wf', { items: [2, 3] }, { runId: 'r3' })).runId)
    expect(third.tasks.each!.output).toEqual([
      { n: 2, call: 2 },
      { n: 3, call: 3 },
    ])
    expect(calls).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    // An item's key is not the key of a plain task with the same params.
    await engine.register(
      def({ p: { action: 'price', params: { n: 1 }, cache: { ttlMs: 60_000 } } }, { id: 'one' }),
    )
    await engine.wait((await engine.start('one')).runId)
    expect(calls).toHaveLength(4)
  })

  it('runs the items of an unversioned action every time; the task.completed says why', async () => {
    let calls = 0
    const { engine } = open({
      actions: {
        plain: (params: { n: number }) => {
          calls++
          return params.n
        },
      },
    })
    await engine.register(
      def({
        each: { action: 'plain', forEach: '[1, 2]', params: { n: '${ item }' }, cache: { ttlMs: 60_000 } },
      }),
    )
    for (let i = 0; i < 2; i++) {
      const run = await engine.start('wf')
      expect((await engine.wait(run.runId)).status).toBe('completed')
      const completed = (await engine.history(run.runId)).find((entry) => entry.type === 'task.completed')
      expect(completed).toMatchObject({ cache: { skipped: 'unversioned-action' } })
    }
    expect(calls).toBe(4)
  })
})

describe('result cache hits across a crash (IndexedDB)', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it('a new engine recovers a run that completed a task from the cache without running its action', async () => {
    const name = temp.open().name
    const { action, calls } = counted()
    const clock = simulatedClock(Date.UTC(2026, 0, 1))
    const make = (after: (params: { got: number }, ctx: unknown) => unknown) => {
      const engine = createEngine({
        store: temp.open(name),
        clock,
        snapshotEvery: 2,
        actions: { price: action, after },
      })
      engines.push(engine)
      return engine
    }
    const slow = controllable()
    const first = make(slow.handler)
    await first.register(def(priced))
    const source = await first.start('wf', { n: 2 }, { runId: 'r1' })
    await until(() => slow.calls.length === 1)
    slow.calls[0]!.resolve('done')
    await first.wait(source.runId)
    await first.start('wf', { n: 2 }, { runId: 'r2' })
    await until(() => slow.calls.length === 2)
    await first.close()

    const got: number[] = []
    const second = make((params) => {
      got.push(params.got)
      return 'again'
    })
    const view = await second.wait('r2')
    expect(view.status).toBe('completed')
    expect(view.tasks.p).toMatchObject({
      output: { n: 2, call: 1 },
      cached: { fromRunId: 'r1', taskId: 'p' },
    })
    expect(got).toEqual([1])
    expect(calls).toHaveLength(1)
    const types = (await second.history('r2'))
      .filter((e) => 'taskId' in e && e.taskId === 'p')
      .map((e) => e.type)
    expect(types).toEqual(['task.started', 'task.cached'])
  })
})
