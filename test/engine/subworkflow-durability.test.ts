import { createEngine, type Engine, type EngineOptions, memoryStore, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tryLockRun } from '../../src/host/locks'
import { faultyStore } from '../store/faulty-store'
import { tempStores } from '../store/temp-database'
import { subworkflowParent, waitingChild } from '../support/child-runs'
import { testEngines, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

const parent = subworkflowParent()

describe('subworkflow: a child that ends while its parent is elsewhere', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = async (name: string, options: EngineOptions = {}) => {
    const engine = createEngine({
      store: temp.open(name),
      clock: simulatedClock(START),
      random: () => 0.5,
      ...options,
    })
    engines.push(engine)
    await engine.idle()
    return engine
  }
  /** Starts `p`, whose child `p/sub` waits for `go`, and closes the engine. */
  const leaveWaiting = async (name: string) => {
    const first = await open(name)
    await first.register(waitingChild)
    await first.register(parent)
    await first.start('parent', {}, { runId: 'p' })
    await until(async () => (await first.getRun('p'))!.tasks.sub!.status === 'waiting')
    await first.close()
  }

  it('the parent completes once its child ends in an engine opened after its own closed', async () => {
    const name = temp.open().name
    await leaveWaiting(name)
    const second = await open(name, { recover: false })
    await second.signal('p/sub', 'go', 'late')
    expect((await second.wait('p/sub')).status).toBe('completed')
    const done = await second.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'late', children: ['p/sub'] })
    expect((await second.history('p')).filter((e) => e.type === 'child.started')).toHaveLength(1)
  })

  it('a parent another engine holds takes its child’s end once that engine lets go', async () => {
    const name = temp.open().name
    await leaveWaiting(name)
    // Another tab executes the parent now.
    const held = (await tryLockRun(name, 'p'))!
    const second = await open(name, { recover: false })
    await second.signal('p/sub', 'go', 'held')
    expect((await second.wait('p/sub')).status).toBe('completed')
    await second.idle()
    expect((await second.getRun('p'))!.status).toBe('running')
    await held.release()
    const done = await second.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'held' })
  })

  it('a parent restored after its child ended, before the news reached it, reads the end from the store', async () => {
    const name = temp.open().name
    await leaveWaiting(name)
    const held = (await tryLockRun(name, 'p'))!
    const second = await open(name, { recover: false })
    await second.signal('p/sub', 'go', 'stored')
    expect((await second.wait('p/sub')).status).toBe('completed')
    // The engine that saw the child end closes before the parent's lock comes free.
    await second.close()
    await held.release()
    const third = await open(name, { recover: false })
    // A call wakes the parent, which reads its child's end as it is restored.
    await third.checkpoint('p', 'look')
    const done = await third.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'stored' })
  })

  it('recovery takes up a passive parent whose child ended while no engine could tell it', async () => {
    const name = temp.open().name
    await leaveWaiting(name)
    const held = (await tryLockRun(name, 'p'))!
    const second = await open(name, { recover: false })
    await second.signal('p/sub', 'go', 'recovered')
    expect((await second.wait('p/sub')).status).toBe('completed')
    await second.close()
    await held.release()
    // No call: opening the database (recover() at creation) is enough.
    const third = await open(name)
    const done = await third.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'recovered' })
  })
})

describe('subworkflow: a parent cut off between starting its child and journaling it', () => {
  const open = testEngines()

  it('finds the same child when its attempt runs again: one child run, one start', async () => {
    const store = faultyStore(memoryStore(), [])
    const { engine } = open({ store })
    await engine.register({
      ...waitingChild,
      tasks: { t: { action: 'transform', params: { value: 'kid' } } },
      output: 'tasks.t.output',
    })
    await engine.register(parent)
    // The child is stored, then the parent's write of child.started fails: the parent is
    // reloaded as stored (paused), and the child's end takes it up again; its cut-off attempt
    // runs again and finds the child under its id.
    store.inject({ method: 'commit', entryType: 'child.started', at: 'before' })
    await engine.start('parent', {}, { runId: 'p' })
    const done = await engine.wait('p')
    expect(done).toMatchObject({ status: 'completed', output: 'kid', children: ['p/sub'] })
    expect(done.tasks.sub!.attempts).toBe(2)
    expect(store.fired).toHaveLength(1)
    const types = (await engine.history('p')).map((e) => e.type)
    expect(types.indexOf('workflow.paused')).toBeLessThan(types.indexOf('child.started'))
    expect((await engine.history('p')).filter((e) => e.type === 'child.started')).toHaveLength(1)
    expect((await engine.history('p/sub')).filter((e) => e.type === 'workflow.started')).toHaveLength(1)
    expect((await engine.listRuns({ parentRunId: 'p' })).runs.map((r) => r.runId)).toEqual(['p/sub'])
  })
})
