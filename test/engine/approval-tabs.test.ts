import { createEngine, type Engine, SpindleError, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { def, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

/** One approval that alice or bob decides alone. */
const either = def({
  big: { action: 'approval', params: { title: 'Big order', levels: [{ approvers: ['alice', 'bob'] }] } },
})

/** What a call came to: its error, if it was refused. */
function outcome(call: Promise<unknown>): Promise<{ error?: unknown }> {
  return call.then(
    () => ({}),
    (error: unknown) => ({ error }),
  )
}

describe('two tabs deciding the same approval (two engines on one IndexedDB database)', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (name: string) => {
    const engine = createEngine({ store: temp.open(name), clock: simulatedClock(START) })
    engines.push(engine)
    return engine
  }

  it('one wins, the other gets a typed error, and the journal holds one decision', async () => {
    for (const round of [0, 1, 2]) {
      const name = temp.open().name
      const first = open(name)
      const second = open(name)
      await first.register(either)
      const { runId } = await first.start('wf')
      await first.idle()
      await second.idle()
      const calls = [
        () => first.approve(runId, 'big', { by: 'alice' }),
        () => second.reject(runId, 'big', { by: 'bob' }),
      ]
      if (round === 1) calls.reverse()
      // Rounds 0 and 1: one tab after the other, either way round; round 2: both at once.
      const outcomes =
        round === 2
          ? await Promise.all(calls.map((call) => outcome(call())))
          : [await outcome(calls[0]!()), await outcome(calls[1]!())]
      const lost = outcomes.filter((o) => o.error !== undefined)
      expect(lost, `round ${round}`).toHaveLength(1)
      expect(lost[0]!.error).toBeInstanceOf(SpindleError)
      expect((lost[0]!.error as SpindleError).code).toBe('INVALID_STATE')
      const history = await first.history(runId)
      expect(history.filter((e) => e.type === 'approval.voted')).toHaveLength(1)
      expect(
        history.filter((e) => e.type === 'approval.granted' || e.type === 'approval.rejected'),
      ).toHaveLength(1)
      expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
      await Promise.all(engines.splice(0).map((e) => e.close()))
    }
  })
  it('decides a run that waits on people only from a tab that does not execute it: the engine that started it lets it go', async () => {
    const name = temp.open().name
    const leader = open(name)
    await leader.idle()
    const follower = open(name)
    await follower.register(either)
    const { runId } = await follower.start('wf')
    await follower.idle()
    const probe = temp.open(name)
    await until(async () => (await probe.getRun(runId))?.wakeAt === Number.POSITIVE_INFINITY)
    // Once the follower let the run go, the leader takes it over for the decision.
    await leader.approve(runId, 'big', { by: 'alice' })
    expect((await leader.wait(runId)).status).toBe('completed')
    const voted = (await leader.history(runId)).filter((e) => e.type === 'approval.voted')
    expect(voted.map((e) => e.by)).toEqual(['alice'])
  })

  it('keeps a waiting run with a deadline where it runs, when that engine does not lead', async () => {
    const name = temp.open().name
    const leader = open(name)
    await leader.idle()
    const follower = open(name)
    const timed = def({
      big: {
        action: 'approval',
        params: { title: 'Big order', levels: [{ approvers: ['alice'], timeoutMs: 60_000 }] },
      },
    })
    await follower.register(timed)
    const { runId } = await follower.start('wf')
    await follower.idle()
    await expect(leader.approve(runId, 'big', { by: 'alice' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    })
    await follower.approve(runId, 'big', { by: 'alice' })
    expect((await follower.wait(runId)).status).toBe('completed')
  })
})
