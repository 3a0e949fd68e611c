import { createEngine, EngineClosedError, memoryStore, simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
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
