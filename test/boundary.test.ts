import { filter } from 'rxjs'
import { isRunEvent, memoryStore, type WorkflowEvent } from 'spindle'
import { describe, expect, it } from 'vitest'
import { deepFreeze } from '../src/boundary'
import { def, testEngine } from './support/engine-fixtures'

/** Tries a change through a value handed out by the engine; a frozen value refuses it, which is fine too. */
function tryToChange(change: () => void): void {
  try {
    change()
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
  }
}

describe('edges copy: nothing handed out shares the engine’s own objects', () => {
  it('static params are shared by no run: an action that changes them leaks nothing into later runs (D5)', async () => {
    const { engine } = testEngine({
      actions: {
        grow: (params: { list: number[] }) => {
          tryToChange(() => params.list.push(1))
          return params.list.length
        },
      },
    })
    await engine.register(def({ a: { action: 'grow', params: { list: [] } } }, { output: 'tasks.a.output' }))
    const first = await engine.wait((await engine.start('wf')).runId)
    const second = await engine.wait((await engine.start('wf')).runId)
    expect(first.output).toBe(second.output)
    expect((await engine.runSnapshot(second.runId))!.definition.tasks.a!.params).toEqual({ list: [] })
  })

  it('an exact ${ } template hands the action a copy of the run’s data (D5)', async () => {
    const seen: unknown[] = []
    const { engine } = testEngine({
      actions: {
        grow: (params: { items: number[] }) => {
          tryToChange(() => params.items.push(99))
          return null
        },
        look: (params: { items: number[] }) => {
          seen.push(params.items)
          return null
        },
      },
    })
    await engine.register(
      def({
        a: { action: 'grow', params: { items: '${ input.items }' } },
        b: { action: 'look', dependsOn: ['a'], params: { items: '${ input.items }' } },
      }),
    )
    const view = await engine.wait((await engine.start('wf', { items: [1, 2] })).runId)
    expect(view.status).toBe('completed')
    expect(seen).toEqual([[1, 2]])
    expect(view.input).toEqual({ items: [1, 2] })
  })

  it('the run keeps its own copy of the input: the caller’s object and getRun’s view change nothing (D6)', async () => {
    const seen: unknown[] = []
    const gate: { open?: () => void } = {}
    const { engine } = testEngine({
      actions: {
        hold: () =>
          new Promise((resolve) => {
            gate.open = () => resolve(null)
          }),
        look: (params: { name: string }) => {
          seen.push(params.name)
          return null
        },
      },
    })
    await engine.register(
      def({
        a: { action: 'hold' },
        b: { action: 'look', dependsOn: ['a'], params: { name: '${ input.who.name }' } },
      }),
    )
    const input = { who: { name: 'alice' } }
    const { runId } = await engine.start('wf', input)
    input.who.name = 'mallory'
    await engine.idle()
    const view = (await engine.getRun(runId))!
    tryToChange(() => {
      ;(view.input.who as { name: string }).name = 'mallory'
    })
    gate.open!()
    const done = await engine.wait(runId)
    expect(seen).toEqual(['alice'])
    expect(done.input).toEqual({ who: { name: 'alice' } })
  })

  it('refuses input that cannot be stored with INPUT_INVALID and creates no run', async () => {
    const { engine, store } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    await expect(engine.start('wf', { callback: () => 1 }, { runId: 'r1' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      issues: [{ path: 'callback', code: 'invalid_value' }],
    })
    expect(await store.getRun('r1')).toBeUndefined()
  })

  it('getRun’s state and outputs are not the run’s own objects (D6)', async () => {
    const gate: { open?: () => void } = {}
    const seen: unknown[] = []
    const { engine } = testEngine({
      actions: {
        make: (_: unknown, ctx) => {
          ctx.state.set('tags', ['x'])
          return { list: [1] }
        },
        hold: () =>
          new Promise((resolve) => {
            gate.open = () => resolve(null)
          }),
        look: (params: { list: number[] }, ctx) => {
          seen.push(params.list, ctx.state.get('tags'))
          return null
        },
      },
    })
    await engine.register(
      def({
        a: { action: 'make' },
        h: { action: 'hold', dependsOn: ['a'] },
        b: { action: 'look', dependsOn: ['h'], params: { list: '${ tasks.a.output.list }' } },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const view = (await engine.getRun(runId))!
    tryToChange(() => (view.tasks.a!.output as { list: number[] }).list.push(2))
    tryToChange(() => (view.state as { tags: string[] }).tags.push('y'))
    tryToChange(() => {
      ;(view.state as Record<string, unknown>).extra = 1
    })
    gate.open!()
    const done = await engine.wait(runId)
    expect(seen).toEqual([[1], ['x']])
    expect(done.state).toEqual({ tags: ['x'] })
    expect(done.tasks.a!.output).toEqual({ list: [1] })
  })

  it('ctx.state.get hands out a copy: a failed attempt’s change in place is dropped (D7)', async () => {
    const seen: unknown[] = []
    const { engine } = testEngine({
      actions: {
        make: (_: unknown, ctx) => {
          ctx.state.set('list', [1])
          return null
        },
        flaky: (_: unknown, ctx) => {
          const list = ctx.state.get('list') as number[]
          seen.push([...list])
          list.push(ctx.attempt)
          if (ctx.attempt === 1) throw new Error('first attempt fails')
          return null
        },
      },
    })
    await engine.register(
      def({
        a: { action: 'make' },
        b: { action: 'flaky', dependsOn: ['a'], retry: { maxAttempts: 2, initialDelayMs: 0 } },
      }),
    )
    const view = await engine.wait((await engine.start('wf')).runId)
    expect(view.status).toBe('completed')
    expect(seen).toEqual([[1], [1]])
    expect(view.state).toEqual({ list: [1] })
  })

  it('an events$ subscriber cannot change the journal or the run (D8)', async () => {
    const seen: unknown[] = []
    const { engine } = testEngine({
      actions: {
        make: () => ({ list: [1] }),
        look: (params: { list: number[] }) => {
          seen.push(params.list)
          return null
        },
      },
    })
    engine.events$.pipe(filter(isRunEvent)).subscribe((event: WorkflowEvent) => {
      if (event.type === 'task.completed' && event.taskId === 'a') {
        tryToChange(() => (event.output as { list: number[] }).list.push(2))
        tryToChange(() => {
          ;(event as { taskId: string }).taskId = 'changed'
        })
      }
    })
    await engine.register(
      def({
        a: { action: 'make' },
        b: { action: 'look', dependsOn: ['a'], params: { list: '${ tasks.a.output.list }' } },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.wait(runId)
    expect(seen).toEqual([[1]])
    const completed = (await engine.history(runId)).find((e) => e.type === 'task.completed' && e.seq > 0)
    expect(completed).toMatchObject({ taskId: 'a', output: { list: [1] } })
  })

  it('a signal payload is copied: the caller changing it afterwards changes nothing', async () => {
    const { engine } = testEngine()
    await engine.register(
      def({ a: { action: 'wait-for-event', params: { event: 'go' } } }, { output: 'tasks.a.output' }),
    )
    const { runId } = await engine.start('wf')
    const payload = { n: 1 }
    await engine.signal(runId, 'go', payload)
    payload.n = 2
    expect((await engine.wait(runId)).output).toEqual({ n: 1 })
  })
})

describe('the memory store keeps copies, as IndexedDB does', () => {
  it('a committed batch changed afterwards changes nothing stored', async () => {
    const store = memoryStore()
    const run = {
      runId: 'r1',
      definitionId: 'wf',
      version: '1.0.0',
      status: 'running' as const,
      createdAt: 0,
      updatedAt: 0,
      input: {},
      epoch: 1,
      executor: 'e1',
      seq: 0,
    }
    await store.createRun(run)
    const entry = {
      runId: 'r1',
      seq: 1,
      at: 0,
      type: 'task.completed',
      taskId: 'a',
      attempt: 1,
      output: { n: 1 },
    }
    const record = { ...run, seq: 1 }
    const batch = { runs: [record], entries: [entry as never], snapshots: [] }
    await store.commit(batch)
    entry.output.n = 2
    record.status = 'failed' as never
    expect((await store.readJournal('r1'))[0]).toMatchObject({ output: { n: 1 } })
    expect((await store.getRun('r1'))!.status).toBe('running')
  })
})

describe('deepFreeze', () => {
  it('freezes plain objects and arrays all the way down, and leaves other values as they are', () => {
    const bytes = new Uint8Array([1])
    const value = deepFreeze({ a: [{ b: 1 }], bytes, at: new Date(0) })
    expect(Object.isFrozen(value)).toBe(true)
    expect(Object.isFrozen(value.a)).toBe(true)
    expect(Object.isFrozen(value.a[0])).toBe(true)
    expect(Object.isFrozen(bytes)).toBe(false)
    expect(deepFreeze(3)).toBe(3)
  })

  it('reaches into arrays of arrays and objects without a prototype, and leaves a Map inside unfrozen', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { list: [[{ n: 1 }]] })
    const map = new Map([[1, { n: 2 }]])
    const value = deepFreeze([bare, { map }])
    expect(Object.isFrozen(bare)).toBe(true)
    expect(Object.isFrozen((bare.list as unknown[][])[0]![0])).toBe(true)
    expect(Object.isFrozen(value[1])).toBe(true)
    expect(Object.isFrozen(map)).toBe(false)
    expect(Object.isFrozen(map.get(1))).toBe(false)
  })
})
