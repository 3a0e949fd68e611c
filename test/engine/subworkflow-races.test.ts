import { type AccessRequest, memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { gatedStore } from '../store/gated-store'
import { subworkflowParent, waitingChild } from '../support/child-runs'
import { controllable, lockIsFree, testEngines, until } from '../support/engine-fixtures'
import { gatedStore as gatedCommits } from '../support/gated-store'

const parent = subworkflowParent()

/** An `authorize` that holds the first request `when` accepts until the test answers it. */
function heldAuthorize(when: (request: AccessRequest) => boolean) {
  let answer!: (allowed: boolean) => void
  let arrive!: () => void
  const reached = new Promise<void>((resolve) => {
    arrive = resolve
  })
  let holding = true
  const authorize = (request: AccessRequest) => {
    if (!holding || !when(request)) return true
    holding = false
    arrive()
    return new Promise<boolean>((resolve) => {
      answer = resolve
    })
  }
  return { authorize, reached, answer: (allowed: boolean) => answer(allowed) }
}

describe('subworkflow: a child that ends while its parent is being cancelled', () => {
  const open = testEngines()

  const family = async (held: ReturnType<typeof heldAuthorize>) => {
    const { engine } = open({ authorize: held.authorize })
    await engine.register(waitingChild)
    await engine.register(parent)
    await engine.start('parent', {}, { runId: 'p' })
    await until(async () => (await engine.getRun('p'))!.tasks.sub!.status === 'waiting')
    await engine.idle()
    return engine
  }
  const childCancel = (r: AccessRequest) => r.verb === 'cancel' && r.runId === 'p/sub'

  it('cancels the parent when the child completed between the cascade’s check and its cancel', async () => {
    const held = heldAuthorize(childCancel)
    const engine = await family(held)
    const cancelling = engine.cancel('p')
    await held.reached
    await engine.signal('p/sub', 'go', 'done')
    expect((await engine.getRun('p/sub'))!.status).toBe('completed')
    held.answer(true)
    await cancelling
    await engine.idle()
    expect((await engine.getRun('p'))!.status).toBe('cancelled')
    expect((await engine.getRun('p/sub'))!.status).toBe('completed')
  })

  it('hands the child’s end to the parent when the parent’s cancel is refused half-way', async () => {
    const held = heldAuthorize(childCancel)
    const engine = await family(held)
    const cancelling = engine.cancel('p')
    await held.reached
    await engine.signal('p/sub', 'go', 'done')
    held.answer(false)
    await expect(cancelling).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await engine.idle()
    const view = (await engine.getRun('p'))!
    expect(view).toMatchObject({ status: 'completed', output: 'done' })
  })

  it('pauses the parent when the child completed between the cascade’s check and its pause', async () => {
    const held = heldAuthorize((r) => r.verb === 'pause' && r.runId === 'p/sub')
    const engine = await family(held)
    const pausing = engine.pause('p').then(
      () => undefined,
      (error: unknown) => error,
    )
    await held.reached
    await engine.signal('p/sub', 'go', 'done')
    held.answer(true)
    // The parent took its child's end meanwhile: it completed, or was paused and completed.
    const error = await pausing
    if (error !== undefined) expect(error).toMatchObject({ code: 'INVALID_STATE', value: { runId: 'p' } })
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'done' })
  })
})

describe('subworkflow: a child that ends while its parent is paused, rolled back or forked', () => {
  const open = testEngines()

  const family = async () => {
    const store = gatedStore(memoryStore())
    const { engine } = open({ store })
    await engine.register(waitingChild)
    await engine.register(parent)
    await engine.start('parent', {}, { runId: 'p' })
    await until(async () => (await engine.getRun('p'))!.tasks.sub!.status === 'waiting')
    await engine.idle()
    return { engine, store }
  }

  it('a paused parent takes its child’s end: its last task ended, it completes', async () => {
    const { engine } = await family()
    await engine.pause('p')
    await engine.resume('p/sub')
    await engine.signal('p/sub', 'go', 'done')
    expect((await engine.wait('p/sub')).status).toBe('completed')
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'done' })
  })

  it('rolls back a passive parent that its child’s end is waking: the rollback takes it once loaded', async () => {
    const { engine, store } = await family()
    const checkpoint = await engine.checkpoint('p', 'child running')
    await until(() => lockIsFree(store.name, 'p'))
    // The rollback reads the stored parent (its look before the fence), then the journal.
    const found = store.hold('readJournal', (runId) => runId === 'p', 'after')
    const rolling = engine.rollback('p', checkpoint.checkpointId)
    await found.reached
    const read = store.hold('readJournal', (runId) => runId === 'p', 'after')
    found.open()
    await read.reached
    // The child ends: its parent is loaded here to take the end, and that load waits at its claim.
    const claim = store.hold('claimRun', (runId) => runId === 'p')
    await engine.signal('p/sub', 'go', 'done')
    await claim.reached
    read.open()
    await new Promise((resolve) => setTimeout(resolve, 5))
    claim.open()
    await rolling
    await engine.idle()
    expect((await engine.getRun('p'))!.status).toBe('paused')
    await engine.resume('p')
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'done' })
    const history = await engine.history('p')
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
    expect((await engine.history('p/sub')).filter((e) => e.type === 'workflow.started')).toHaveLength(1)
  })

  it('a live parent being rolled back when its child ends reads the end once resumed', async () => {
    const slow = controllable()
    const store = gatedStore(memoryStore())
    const { engine } = open({ store, actions: { slow: slow.handler } })
    await engine.register(waitingChild)
    // `x` keeps the parent busy, so it stays in memory (live) while its child runs.
    await engine.register({ ...parent, tasks: { ...parent.tasks, x: { action: 'slow' } } })
    await engine.start('parent', {}, { runId: 'p' })
    await until(
      async () => (await engine.getRun('p'))!.tasks.sub!.status === 'waiting' && slow.calls.length === 1,
    )
    const checkpoint = await engine.checkpoint('p', 'child running')
    const found = store.hold('readJournal', (runId) => runId === 'p', 'after')
    const rolling = engine.rollback('p', checkpoint.checkpointId)
    await found.reached
    // The second read is the rollback's, once the parent is fenced: the child ends then.
    const read = store.hold('readJournal', (runId) => runId === 'p', 'after')
    found.open()
    await read.reached
    await engine.signal('p/sub', 'go', 'done')
    expect((await engine.wait('p/sub')).status).toBe('completed')
    read.open()
    await rolling
    await engine.idle()
    expect((await engine.getRun('p'))!.status).toBe('paused')
    await engine.resume('p')
    await until(() => slow.calls.length === 2)
    slow.calls[1]!.resolve('x')
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'done' })
    const history = await engine.history('p')
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })

  it('a child that ends while its parent is forked goes to its parent only; the fork has its own child', async () => {
    const { engine, store } = await family()
    const read = store.hold('readJournal', (runId) => runId === 'p', 'after')
    const forking = engine.fork('p', undefined, { runId: 'copy' })
    await read.reached
    await engine.signal('p/sub', 'go', 'first')
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'first' })
    read.open()
    await forking
    await until(async () => (await engine.getRun('copy/sub'))?.status === 'running')
    expect((await engine.getRun('copy'))!.status).toBe('running')
    await engine.signal('copy/sub', 'go', 'second')
    expect(await engine.wait('copy')).toMatchObject({ status: 'completed', output: 'second' })
    expect((await engine.getRun('p'))!.output).toBe('first')
  })
})

describe('subworkflow: a parent paused while its child is starting', () => {
  const open = testEngines()

  it('pauses the child once it has started: the parent’s pause could not reach it yet; resume resumes both', async () => {
    const store = gatedCommits(memoryStore())
    const { engine } = open({ store })
    await engine.register(waitingChild)
    await engine.register(parent)
    // The gate shuts as the parent's task starts: the child's first write waits at it.
    engine.events$.subscribe((e) => {
      if (e.runId === 'p' && e.type === 'task.started') store.shut()
    })
    await engine.start('parent', {}, { runId: 'p' })
    await until(() => store.held === 1)
    const pausing = engine.pause('p')
    await until(async () => (await engine.getRun('p'))!.status === 'paused')
    store.open()
    while (store.held > 0) await store.release()
    await pausing
    await until(async () => (await engine.getRun('p'))!.children?.length === 1)
    await engine.idle()
    expect((await engine.getRun('p/sub'))!.status).toBe('paused')
    await engine.resume('p')
    expect((await engine.getRun('p/sub'))!.status).toBe('running')
    await engine.signal('p/sub', 'go', 'done')
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'done' })
  })

  it('leaves a child that finished at once as it is: the parent’s task takes its output', async () => {
    const store = gatedCommits(memoryStore())
    const { engine } = open({ store })
    await engine.register({
      ...waitingChild,
      tasks: { w: { action: 'transform', params: { value: 'quick' } } },
    })
    await engine.register(parent)
    engine.events$.subscribe((e) => {
      if (e.runId === 'p' && e.type === 'task.started') store.shut()
    })
    await engine.start('parent', {}, { runId: 'p' })
    await until(() => store.held === 1)
    const pausing = engine.pause('p')
    await until(async () => (await engine.getRun('p'))!.status === 'paused')
    store.open()
    while (store.held > 0) await store.release()
    await pausing
    expect((await engine.wait('p/sub')).status).toBe('completed')
    expect(await engine.wait('p')).toMatchObject({ status: 'completed', output: 'quick' })
  })
})
