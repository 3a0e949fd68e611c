import { EngineClosedError, memoryStore, simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { def, testEngines, until } from '../support/engine-fixtures'
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
