import { createEngine, type Engine, type EngineOptions, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tryLockRun } from '../../src/host/locks'
import { tempStores } from '../store/temp-database'
import { until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

const waitingChild = {
  schemaVersion: '2.0',
  id: 'child',
  version: '1.0.0',
  tasks: { w: { action: 'wait-for-event', params: { event: 'go' } } },
  output: 'tasks.w.output',
}
const parent = {
  schemaVersion: '2.0',
  id: 'parent',
  version: '1.0.0',
  tasks: { sub: { action: 'subworkflow', params: { workflow: 'child' } } },
  output: 'tasks.sub.output',
}

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
