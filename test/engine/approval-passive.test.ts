import {
  type Engine,
  EngineClosedError,
  memoryStore,
  type SpindleError,
  type Store,
  simulatedClock,
} from 'spindle'
import { describe, expect, it } from 'vitest'
import { gatedStore } from '../store/gated-store'
import { def, lockIsFree, testEngines, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000

const approval = (level: Record<string, unknown>) =>
  def({ big: { action: 'approval', params: { title: 'Big order', levels: [level] } } })

/** What a call came to: its error, if it was refused. */
const outcome = (call: Promise<unknown>): Promise<{ error?: unknown }> =>
  call.then(
    () => ({}),
    (error: unknown) => ({ error }),
  )

/** Waits until the run has left memory: its wake time is committed and its lock given back. */
async function passive(store: Store, runId: string) {
  await until(
    async () => (await store.getRun(runId))?.wakeAt !== undefined && (await lockIsFree(store.name, runId)),
  )
}

async function journalIsWhole(engine: Engine, runId: string) {
  const history = await engine.history(runId)
  expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  return history
}

describe('decisions on a passive run (out of memory while it waits on people)', () => {
  const open = testEngines()

  it('takes two votes made at once, both: the run is woken once, and the quorum grants it', async () => {
    const store = gatedStore(memoryStore())
    const { engine } = open({ store, clock: simulatedClock(START) })
    await engine.register(approval({ approvers: ['alice', 'bob'], quorum: 2 }))
    const { runId } = await engine.start('wf')
    await passive(store, runId)
    // The first vote's wake-up is held at its claim: the second lands between its awaits.
    const claim = store.hold('claimRun', (id) => id === runId)
    const alice = engine.approve(runId, 'big', { by: 'alice' })
    await claim.reached
    const bob = engine.approve(runId, 'big', { by: 'bob' })
    claim.open()
    await Promise.all([alice, bob])
    const view = await engine.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: true, level: 0 })
    expect((view.tasks.big!.output as { votes: { by: string }[] }).votes.map((v) => v.by).sort()).toEqual([
      'alice',
      'bob',
    ])
    const history = await journalIsWhole(engine, runId)
    expect(history.filter((e) => e.type === 'approval.voted')).toHaveLength(2)
    expect(history.filter((e) => e.type === 'workflow.recovered')).toHaveLength(0)
  })

  it('takes one of the same person’s two votes made at once; the other is INVALID_STATE', async () => {
    const store = gatedStore(memoryStore())
    const { engine } = open({ store, clock: simulatedClock(START) })
    await engine.register(approval({ approvers: ['alice', 'bob'], quorum: 2 }))
    const { runId } = await engine.start('wf')
    await passive(store, runId)
    const claim = store.hold('claimRun', (id) => id === runId)
    const first = outcome(engine.approve(runId, 'big', { by: 'alice' }))
    await claim.reached
    const second = outcome(engine.approve(runId, 'big', { by: 'alice' }))
    claim.open()
    const outcomes = await Promise.all([first, second])
    const refused = outcomes.filter((o) => o.error !== undefined)
    expect(refused).toHaveLength(1)
    expect((refused[0]!.error as SpindleError).code).toBe('INVALID_STATE')
    const history = await journalIsWhole(engine, runId)
    expect(history.filter((e) => e.type === 'approval.voted')).toHaveLength(1)
    expect((await engine.getRun(runId))!.tasks.big!.status).toBe('waiting')
  })

  it('a vote and the level deadline waking the same passive run: one decides, the journal holds that one', async () => {
    const store = gatedStore(memoryStore())
    const clock = simulatedClock(START)
    const { engine } = open({ store, clock })
    await engine.register(approval({ approvers: ['alice'], timeoutMs: HOUR, onTimeout: 'reject' }))
    const { runId } = await engine.start('wf')
    await passive(store, runId)
    const claim = store.hold('claimRun', (id) => id === runId)
    clock.advance(HOUR)
    await claim.reached
    const alice = outcome(engine.approve(runId, 'big', { by: 'alice' }))
    claim.open()
    const { error } = await alice
    const view = await engine.wait(runId)
    const output = view.tasks.big!.output as { approved: boolean; timedOut: boolean }
    // The deadline passed before the vote was made: the expiry decides, and the vote is refused.
    expect(output).toMatchObject({ approved: false, timedOut: true })
    expect((error as SpindleError).code).toBe('INVALID_STATE')
    const history = await journalIsWhole(engine, runId)
    expect(history.filter((e) => e.type === 'approval.voted')).toHaveLength(0)
  })

  it('close() while a vote wakes the passive run: the vote is refused with ENGINE_CLOSED, and the next engine takes it', async () => {
    const store = gatedStore(memoryStore())
    const { engine } = open({ store, clock: simulatedClock(START) })
    await engine.register(approval({ approvers: ['alice'] }))
    const { runId } = await engine.start('wf')
    await passive(store, runId)
    const claim = store.hold('claimRun', (id) => id === runId)
    const alice = outcome(engine.approve(runId, 'big', { by: 'alice' }))
    await claim.reached
    const closing = engine.close()
    claim.open()
    await closing
    expect((await alice).error).toBeInstanceOf(EngineClosedError)
    expect((await store.readJournal(runId)).some((e) => e.type === 'approval.voted')).toBe(false)

    const next = open({ store, clock: simulatedClock(START), recover: true }).engine
    await next.approve(runId, 'big', { by: 'alice' })
    expect((await next.wait(runId)).tasks.big!.output).toMatchObject({ approved: true, by: 'alice' })
    await journalIsWhole(next, runId)
  })
})
