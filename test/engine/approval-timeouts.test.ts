import { createEngine, type Engine, type EngineOptions, simulatedClock, type WorkflowEvent } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { def, until } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000

/** alice for an hour, then finance (two of them) for two hours, then `lastTimeout`. */
const escalating = (lastTimeout: string) =>
  def({
    big: {
      action: 'approval',
      params: {
        title: 'Big order',
        levels: [
          { approvers: ['alice'], timeoutMs: HOUR, onTimeout: 'escalate' },
          { groups: ['finance'], quorum: 2, timeoutMs: 2 * HOUR, onTimeout: lastTimeout },
        ],
      },
    },
  })

const finance = (p: string) => (p === 'carol' || p === 'dan' ? ['finance'] : [])

describe('approval timeouts and reloads, on IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (name: string, clock = simulatedClock(START), options: EngineOptions = {}) => {
    const engine = createEngine({
      store: temp.open(name),
      clock,
      random: () => 0.5,
      groupsOf: finance,
      ...options,
    })
    engines.push(engine)
    return { engine, clock }
  }
  const approvalEvents = async (engine: Engine, runId: string) =>
    (await engine.history(runId)).filter((e) => e.type.startsWith('approval.'))

  it('escalates at the level deadline, resetting the clock, then resolves as the last level says', async () => {
    const { engine, clock } = open(temp.open().name)
    await engine.register(escalating('reject'))
    const { runId } = await engine.start('wf')
    await engine.idle()
    clock.advance(HOUR - 1)
    await engine.idle()
    expect((await approvalEvents(engine, runId)).map((e) => e.type)).toEqual(['approval.required'])
    clock.advance(1)
    await engine.idle()
    const escalated = await approvalEvents(engine, runId)
    expect(escalated.map((e) => e.type)).toEqual([
      'approval.required',
      'approval.expired',
      'approval.escalated',
    ])
    expect(escalated[0]).toMatchObject({ level: 0, dueAt: START + HOUR })
    expect(escalated[2]).toMatchObject({ level: 1, groups: ['finance'], quorum: 2, dueAt: START + 3 * HOUR })
    // alice decided level 0; level 1 is finance's.
    await expect(engine.approve(runId, 'big', { by: 'alice' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await engine.approve(runId, 'big', { by: 'carol' })
    clock.advance(2 * HOUR)
    const view = await engine.wait(runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.big!.output).toEqual({
      approved: false,
      decision: 'rejected',
      at: START + 3 * HOUR,
      votes: [{ by: 'carol', decision: 'approved', at: START + HOUR, level: 1 }],
      level: 1,
      timedOut: true,
    })
    expect((await approvalEvents(engine, runId)).slice(3).map((e) => e.type)).toEqual([
      'approval.voted',
      'approval.expired',
      'approval.rejected',
    ])
  })

  it("onTimeout 'approve' grants it; 'fail' fails the task (and the run) with TIMEOUT", async () => {
    const { engine, clock } = open(temp.open().name)
    await engine.register(escalating('approve'))
    await engine.register({ ...escalating('fail'), version: '2.0.0' })
    const granted = await engine.start('wf', {}, { version: '1.0.0' })
    const failed = await engine.start('wf', {}, { version: '2.0.0' })
    await engine.idle()
    clock.advance(HOUR)
    await engine.idle()
    clock.advance(2 * HOUR)
    const [g, f] = await Promise.all([engine.wait(granted.runId), engine.wait(failed.runId)])
    expect(g.tasks.big!.output).toMatchObject({ approved: true, timedOut: true, level: 1 })
    expect(f.status).toBe('failed')
    expect(f.error).toMatchObject({ code: 'TIMEOUT', taskId: 'big' })
    expect(f.tasks.big!.error!.message).toContain("onTimeout: 'fail'")
    expect((await approvalEvents(engine, failed.runId)).at(-1)).toMatchObject({
      type: 'approval.expired',
      level: 1,
    })
  })

  it('keeps a vote across a reload: the engine closes, a new one opens, the next vote grants it', async () => {
    const name = temp.open().name
    const first = open(name)
    await first.engine.register(escalating('reject'))
    const { runId } = await first.engine.start('wf')
    await first.engine.idle()
    first.clock.advance(HOUR)
    await first.engine.idle()
    await first.engine.approve(runId, 'big', { by: 'carol', comment: 'ok' })
    await first.engine.close()

    const second = open(name, simulatedClock(START + HOUR + 60_000))
    await second.engine.idle()
    const view = (await second.engine.getRun(runId))!
    expect(view.tasks.big!.status).toBe('waiting')
    await expect(second.engine.approve(runId, 'big', { by: 'carol' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    })
    await second.engine.approve(runId, 'big', { by: 'dan' })
    const done = await second.engine.wait(runId)
    expect(done.tasks.big!.output).toMatchObject({
      approved: true,
      by: 'dan',
      level: 1,
      votes: [
        { by: 'carol', level: 1, comment: 'ok' },
        { by: 'dan', level: 1 },
      ],
    })
    const history = await second.engine.history(runId)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
  })

  it('fires a level deadline that passed while no engine ran once the next engine opens; the next level counts from then', async () => {
    const name = temp.open().name
    const first = open(name)
    await first.engine.register(escalating('reject'))
    const { runId } = await first.engine.start('wf')
    await first.engine.idle()
    await first.engine.close()

    // Closed for four hours: level 0 expired at +1 h. Finance hears of it only now, so its two
    // hours start now, not at the missed deadline.
    const clock = simulatedClock(START + 4 * HOUR)
    const second = open(name, clock)
    // Woken by the deadline heap once this engine leads the database: no hook reports that.
    await until(async () => (await approvalEvents(second.engine, runId)).length === 3)
    const level = (e: WorkflowEvent) => [e.type, (e as { level?: number }).level]
    expect((await approvalEvents(second.engine, runId)).map(level)).toEqual([
      ['approval.required', 0],
      ['approval.expired', 0],
      ['approval.escalated', 1],
    ])
    expect((await approvalEvents(second.engine, runId)).at(-1)).toMatchObject({ dueAt: START + 6 * HOUR })
    clock.advance(2 * HOUR)
    const view = await second.engine.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: false, timedOut: true, level: 1 })
    expect((await approvalEvents(second.engine, runId)).slice(3).map(level)).toEqual([
      ['approval.expired', 1],
      ['approval.rejected', 1],
    ])
  })
  it('checks a decision against the level open once groupsOf answered: an escalation in between refuses it', async () => {
    let answer!: (groups: string[]) => void
    const asked = new Promise<string[]>((resolve) => {
      answer = resolve
    })
    const { engine, clock } = open(temp.open().name, simulatedClock(START), { groupsOf: () => asked })
    await engine.register(
      def({
        big: {
          action: 'approval',
          params: {
            title: 'Big order',
            levels: [
              { groups: ['finance'], timeoutMs: HOUR, onTimeout: 'escalate' },
              { approvers: ['bob'], onTimeout: 'reject' },
            ],
          },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const deciding = engine.approve(runId, 'big', { by: 'carol' })
    clock.advance(HOUR)
    await engine.idle()
    expect((await approvalEvents(engine, runId)).at(-1)).toMatchObject({
      type: 'approval.escalated',
      level: 1,
    })
    answer(['finance'])
    await expect(deciding).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect((await engine.history(runId)).some((e) => e.type === 'approval.voted')).toBe(false)
    await engine.approve(runId, 'big', { by: 'bob' })
    expect((await engine.wait(runId)).tasks.big!.output).toMatchObject({
      approved: true,
      by: 'bob',
      level: 1,
    })
  })

  it('journals nothing of a decision whose groupsOf answers after close()', async () => {
    let answer!: (groups: string[]) => void
    const asked = new Promise<string[]>((resolve) => {
      answer = resolve
    })
    const name = temp.open().name
    const { engine } = open(name, simulatedClock(START), { groupsOf: () => asked })
    await engine.register(escalating('reject'))
    const { runId } = await engine.start('wf')
    await engine.idle()
    const deciding = engine.approve(runId, 'big', { by: 'alice' })
    const closing = engine.close()
    answer([])
    await expect(deciding).rejects.toMatchObject({ code: 'ENGINE_CLOSED' })
    await closing
    const reopened = open(name).engine
    expect((await reopened.history(runId)).some((e) => e.type === 'approval.voted')).toBe(false)
    expect((await reopened.getRun(runId))!.tasks.big!.status).toBe('waiting')
  })
})
