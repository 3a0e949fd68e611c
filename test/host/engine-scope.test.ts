import { createEngine, EngineClosedError, memoryStore, type Store, simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, lockIsFree, testEngines } from '../support/engine-fixtures'

/** Nothing outlives close() (README guarantee 6): no task, timer, lock or pending promise. */
describe('one engine scope: close()', () => {
  const open = testEngines()

  /** A run of `slow` left running in `store` by an engine that closed. */
  async function storedRun() {
    const store = memoryStore()
    const slow = controllable()
    const { engine } = open({ store, actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' }, b: { action: 'slow', dependsOn: ['a'] } }))
    const run = await engine.start('wf')
    await engine.idle()
    expect(slow.calls).toHaveLength(1)
    await engine.close()
    return { store, runId: run.runId }
  }

  it("close() during the constructor's recovery: the run does not execute afterwards, and its lock is free", async () => {
    const { store, runId } = await storedRun()
    const attempts: number[] = []
    const recovering = createEngine({
      store,
      clock: simulatedClock(),
      actions: { slow: (_: unknown, ctx: { attempt: number }) => attempts.push(ctx.attempt) },
    })
    await recovering.close()
    await recovering.idle()
    expect(attempts).toEqual([])
    expect(await lockIsFree(store.name, runId)).toBe(true)
    // Another engine can take the run over and control it.
    const { engine: third } = open({ store, actions: { slow: controllable().handler } })
    await expect(third.pause(runId)).resolves.toMatchObject({ status: 'paused' })
  })

  it('start() racing close() is refused with ENGINE_CLOSED and leaves nothing behind', async () => {
    const store = memoryStore()
    const calls: number[] = []
    const { engine } = open({ store, actions: { act: () => calls.push(1) } })
    await engine.register(def({ a: { action: 'act' } }))
    const started = engine.start('wf', {}, { runId: 'raced' })
    await engine.close()
    await expect(started).rejects.toBeInstanceOf(EngineClosedError)
    await engine.idle()
    expect(calls).toEqual([])
    expect(await store.listRuns()).toEqual([])
    expect(await lockIsFree(store.name, 'raced')).toBe(true)
  })

  it('a wait() pending at close() rejects with ENGINE_CLOSED before close() resolves; a later one too', async () => {
    const slow = controllable()
    const { engine } = open({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    const run = await engine.start('wf')
    let outcome: unknown
    engine.wait(run.runId).then(
      (view) => (outcome = view),
      (error) => (outcome = error),
    )
    await engine.idle()
    await engine.close()
    expect(outcome).toBeInstanceOf(EngineClosedError)
    await expect(engine.wait(run.runId)).rejects.toBeInstanceOf(EngineClosedError)
  })

  it('releases the lock of every run it executed, and aborts their actions', async () => {
    const store = memoryStore()
    const slow = controllable()
    const { engine } = open({ store, actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    const runs = await Promise.all([engine.start('wf'), engine.start('wf')])
    await engine.idle()
    await engine.close()
    expect(slow.calls.map((c) => c.ctx.signal.aborted)).toEqual([true, true])
    for (const run of runs) {
      expect(await lockIsFree(store.name, run.runId)).toBe(true)
    }
  })

  it('a takeover whose lock frees while the engine closes does not take the run', async () => {
    const store = memoryStore()
    const slow = controllable()
    const { engine: first } = open({ store, actions: { slow: slow.handler } })
    await first.register(def({ a: { action: 'slow' } }))
    const run = await first.start('wf')
    await first.idle()
    const attempts: number[] = []
    const { engine: second } = open({
      store,
      actions: { slow: (_: unknown, ctx: { attempt: number }) => attempts.push(ctx.attempt) },
    })
    expect(await second.recover()).toEqual([])
    await Promise.all([second.close(), first.close()])
    await second.idle()
    expect(attempts).toEqual([])
    expect(await lockIsFree(store.name, run.runId)).toBe(true)
  })

  it('a control call in flight at close() finishes before close() resolves; later ones are refused', async () => {
    const store = memoryStore()
    const slow = controllable()
    const { engine } = open({ store, actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    const run = await engine.start('wf')
    await engine.idle()
    let paused: unknown
    engine.pause(run.runId).then(
      (info) => (paused = info),
      (error) => (paused = error),
    )
    await engine.close()
    expect(paused).toMatchObject({ status: 'paused' })
    expect((await store.getRun(run.runId))!.status).toBe('paused')
    await expect(engine.resume(run.runId)).rejects.toBeInstanceOf(EngineClosedError)
    await expect(engine.recover()).rejects.toBeInstanceOf(EngineClosedError)
  })
})

describe('close() during the first recovery: no store call after it', () => {
  /** `store`, noting each call made after `closed` is set. */
  function watched(store: Store) {
    const late: string[] = []
    const state = { closed: false }
    const proxy = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (state.closed) late.push(String(key))
          return value.apply(target, args)
        }
      },
    })
    return { store: proxy, late, state }
  }

  const temp = tempStores()

  it('at every moment of the recovery, the engine makes no store call once close() resolved', async () => {
    for (let delay = 0; delay < 12; delay++) {
      const base = delay % 2 === 0 ? memoryStore() : temp.open()
      const first = createEngine({ store: base, clock: simulatedClock(), recover: false })
      await first.register(
        def({ hold: { action: 'wait-for-event', params: { event: 'go' } } }, { id: 'child' }),
      )
      await first.register(
        def({
          kid: { action: 'subworkflow', params: { workflow: 'child' } },
          approve: {
            action: 'approval',
            params: { title: 'ok?', levels: [{ approvers: ['ann'], timeoutMs: 1000 }] },
          },
          nap: { action: 'delay', params: { ms: 60_000 } },
          ask: { action: 'wait-for-event', params: { event: 'go' } },
        }),
      )
      await first.start('wf')
      await first.start('wf')
      await first.idle()
      await first.close()
      const { store, late, state } = watched(base)
      const engine = createEngine({ store, clock: simulatedClock() })
      // Let the recovery and the leader's services get `delay` turns of the event loop in.
      for (let i = 0; i < delay; i++) await new Promise((resolve) => setTimeout(resolve, 0))
      await engine.close()
      state.closed = true
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(late, `closed after ${delay} turns`).toEqual([])
    }
  })
})
