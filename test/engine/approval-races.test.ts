import {
  createEngine,
  type Engine,
  EngineClosedError,
  memoryStore,
  type Store,
  simulatedClock,
} from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'
import { gatedStore } from '../support/gated-store'

const START = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000

/** alice for an hour, then finance for an hour, then it is rejected. */
const escalating = def({
  big: {
    action: 'approval',
    params: {
      title: 'Big order',
      levels: [
        { approvers: ['alice'], timeoutMs: HOUR, onTimeout: 'escalate' },
        { groups: ['finance'], timeoutMs: HOUR, onTimeout: 'reject' },
      ],
    },
  },
})

/** A `groupsOf` whose answers the test gives, one call at a time. */
function heldGroups() {
  const asked: { principal: string; answer(groups: string[]): void }[] = []
  const groupsOf = (principal: string) =>
    new Promise<string[]>((resolve) => {
      asked.push({ principal, answer: resolve })
    })
  return { groupsOf, asked }
}

const approvalTypes = async (
  engine: { history(runId: string): Promise<{ type: string }[]> },
  runId: string,
) => (await engine.history(runId)).map((e) => e.type).filter((t) => t.startsWith('approval.'))

describe('approve() racing the level timer and close()', () => {
  const open = testEngines()

  it('does not let a groupsOf that never answers hold close() up: the decision is refused with ENGINE_CLOSED', async () => {
    const groups = heldGroups()
    const { engine } = open({ clock: simulatedClock(START), groupsOf: groups.groupsOf })
    await engine.register(escalating)
    const { runId } = await engine.start('wf')
    await engine.idle()
    const approving = engine.approve(runId, 'big', { by: 'alice' })
    await until(() => groups.asked.length === 1)
    await engine.close()
    await expect(approving).rejects.toBeInstanceOf(EngineClosedError)
  })

  it('checks a decision against the level the approval is at once groupsOf answered: the timer escalated meanwhile', async () => {
    const groups = heldGroups()
    const clock = simulatedClock(START)
    const { engine } = open({ clock, groupsOf: groups.groupsOf })
    await engine.register(escalating)
    const { runId } = await engine.start('wf')
    await engine.idle()
    const approving = engine.approve(runId, 'big', { by: 'alice' })
    await until(() => groups.asked.length === 1)
    clock.advance(HOUR)
    await engine.idle()
    groups.asked[0]!.answer([])
    await expect(approving).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await approvalTypes(engine, runId)).toEqual([
      'approval.required',
      'approval.expired',
      'approval.escalated',
    ])
    expect((await engine.getRun(runId))!.tasks.big!.status).toBe('waiting')
  })

  it('keeps a grant whose write is in flight when the level timer fires: no expiry after it', async () => {
    const store = gatedStore(memoryStore())
    const clock = simulatedClock(START)
    const { engine } = open({ clock, store })
    await engine.register(escalating)
    const { runId } = await engine.start('wf')
    await engine.idle()
    store.shut()
    const approving = engine.approve(runId, 'big', { by: 'alice' })
    await until(() => store.held === 1)
    clock.advance(HOUR)
    while (store.held > 0) await store.release()
    await approving
    const view = await engine.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: true, timedOut: false, level: 0 })
    expect(await approvalTypes(engine, runId)).toEqual([
      'approval.required',
      'approval.voted',
      'approval.granted',
    ])
    const history = await engine.history(runId)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })

  it('keeps an escalation whose write is in flight when a decision of the old level arrives: it is refused', async () => {
    const store = gatedStore(memoryStore())
    const clock = simulatedClock(START)
    const { engine } = open({ clock, store, groupsOf: (p) => (p === 'carol' ? ['finance'] : []) })
    await engine.register(escalating)
    const { runId } = await engine.start('wf')
    await engine.idle()
    store.shut()
    clock.advance(HOUR)
    await until(() => store.held === 1)
    const late = engine.approve(runId, 'big', { by: 'alice' })
    const carol = engine.approve(runId, 'big', { by: 'carol' })
    await expect(late).rejects.toMatchObject({ code: 'FORBIDDEN' })
    while (
      store.held > 0 ||
      !(await carol.then(
        () => true,
        () => true,
      ))
    )
      await store.release()
    await carol
    const view = await engine.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: true, level: 1, by: 'carol' })
  })
})

/**
 * A clock whose time moves without firing its timers until the test says so: a throttled
 * background tab, where a timer runs late.
 */
function laggingClock(start: number) {
  let now = start
  const timers = new Map<number, () => void>()
  let next = 0
  return {
    now: () => now,
    setTimeout: (callback: () => void) => {
      timers.set(++next, callback)
      return next
    },
    clearTimeout: (handle: unknown) => {
      timers.delete(handle as number)
    },
    /** Time moves on; no timer fires. */
    set(time: number) {
      now = time
    },
    /** The late timers fire. */
    fire() {
      const due = [...timers.values()]
      timers.clear()
      for (const callback of due) callback()
    },
  }
}

describe('a decision after the level deadline, before its late timer fired', () => {
  const open = testEngines()

  it('is refused: the deadline decides, as it does when the run is woken after it', async () => {
    const clock = laggingClock(START)
    const busy = controllable()
    const { engine } = open({ clock, actions: { busy: busy.handler } })
    // `other` keeps the run busy, so it stays in memory with its level timer armed.
    await engine.register(def({ ...escalating.tasks, other: { action: 'busy' } }))
    const { runId } = await engine.start('wf')
    await until(() => busy.calls.length === 1)
    await engine.idle()
    clock.set(START + HOUR)
    await expect(engine.approve(runId, 'big', { by: 'alice' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    })
    clock.fire()
    await engine.idle()
    expect(await approvalTypes(engine, runId)).toEqual([
      'approval.required',
      'approval.expired',
      'approval.escalated',
    ])
    const view = (await engine.getRun(runId))!
    expect(view.tasks.big!.status).toBe('waiting')
  })
})

describe('approve() racing close(), on IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const openOn = (store: Store, clock = simulatedClock(START)) => {
    const engine = createEngine({ store, clock, random: () => 0.5 })
    engines.push(engine)
    return engine
  }

  it('a vote whose write is in flight at close() is stored whole or not at all, and is never lost silently', async () => {
    const name = temp.open().name
    const store = gatedStore(temp.open(name))
    const first = openOn(store)
    await first.register(escalating)
    const { runId } = await first.start('wf')
    await first.idle()
    store.shut()
    const approving = first.approve(runId, 'big', { by: 'alice' }).then(
      () => undefined,
      (error: unknown) => error,
    )
    await until(() => store.held === 1)
    const closing = first.close()
    store.open()
    while (store.held > 0) await store.release()
    await closing
    const error = await approving
    const voted = (await temp.open(name).readJournal(runId)).filter((e) => e.type === 'approval.voted')
    // Refused only when it was not written; written, it is what the next engine goes on from.
    if (error !== undefined) expect(voted).toEqual([])
    const second = openOn(temp.open(name), simulatedClock(START + 60_000))
    await second.idle()
    if (voted.length === 0) await second.approve(runId, 'big', { by: 'alice' })
    const view = await second.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: true, by: 'alice', level: 0 })
    const history = await second.history(runId)
    expect(history.filter((e) => e.type === 'approval.voted')).toHaveLength(1)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })
})
