import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngine } from '../support/engine-fixtures'

/** A chain of `n` noop tasks: t0 → t1 → … */
const chain = (n: number) =>
  def(
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `t${i}`,
        { action: 'noop', ...(i > 0 && { dependsOn: [`t${i - 1}`] }) },
      ]),
    ),
  )

describe('engine.idle(): the engine has settled', () => {
  const temp = tempStores()

  it('resolves once a chain of tasks has run to its end (memory store)', async () => {
    const { engine } = testEngine()
    await engine.register(chain(30))
    const { runId } = await engine.start('wf')
    await engine.idle()
    const view = (await engine.getRun(runId))!
    expect(view.status).toBe('completed')
    expect(Object.values(view.tasks).every((t) => t.status === 'completed')).toBe(true)
    await engine.close()
  })

  it('waits for IndexedDB commits, whatever they take', async () => {
    const { engine } = testEngine({ store: temp.open() })
    await engine.register(chain(8))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('completed')
    await engine.close()
  })

  it('does not wait for an action still working, and takes up its result once it settles', async () => {
    const work = controllable()
    const { engine } = testEngine({ actions: { work: work.handler } })
    await engine.register(def({ a: { action: 'work' }, b: { action: 'noop', dependsOn: ['a'] } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect(work.calls).toHaveLength(1)
    expect((await engine.getRun(runId))!.tasks.a!.status).toBe('running')
    work.calls[0]!.resolve('done')
    await engine.idle()
    const view = (await engine.getRun(runId))!
    expect(view.status).toBe('completed')
    expect(view.tasks.a!.output).toBe('done')
  })

  it('lets an async action whose own awaits have settled finish first', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const { engine } = testEngine({
      actions: {
        slow: async () => {
          await gate
          await Promise.resolve()
          return 'late'
        },
      },
    })
    await engine.register(def({ a: { action: 'slow' } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    open()
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.a).toMatchObject({ status: 'completed', output: 'late' })
  })

  it('does not wait for the clock: a durable delay leaves the engine idle until it is due', async () => {
    const { engine, clock } = testEngine()
    await engine.register(
      def({ a: { action: 'delay', params: { ms: 1000 } }, b: { action: 'noop', dependsOn: ['a'] } }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.a!.status).toBe('waiting')
    clock.advance(1000)
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('completed')
  })

  it("waits for the constructor's recovery: the recovered run's task has started", async () => {
    const store = memoryStore()
    const slow = controllable()
    const first = testEngine({ store, actions: { slow: slow.handler } }).engine
    await first.register(def({ a: { action: 'slow' } }))
    const { runId } = await first.start('wf')
    await first.idle()
    await first.close()
    const second = testEngine({ store, actions: { slow: slow.handler }, recover: true }).engine
    await second.idle()
    expect(slow.calls).toHaveLength(2)
    expect((await second.getRun(runId))!.tasks.a!.status).toBe('running')
    await second.close()
  })

  it('resolves at once on an engine with nothing to do, also after close()', async () => {
    const { engine } = testEngine()
    await engine.idle()
    await engine.close()
    await engine.idle()
  })
})
