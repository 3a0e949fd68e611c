import { createEngine, type Engine, type EngineOptions, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { def } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

/** `big` asks for an approval; `ship` runs if it is granted, `refuse` if not. */
function orderFlow(params: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return def({
    big: { action: 'approval', params: { title: 'Approve order ${ input.orderId }', ...params }, ...extra },
    ship: {
      action: 'transform',
      dependsOn: ['big'],
      when: 'tasks.big.output.approved',
      params: { value: 'shipped' },
    },
    refuse: {
      action: 'transform',
      dependsOn: ['big'],
      when: '!tasks.big.output.approved',
      params: { value: 'refused' },
    },
  })
}

describe('approvals through the engine, on IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (options: EngineOptions = {}) => {
    const clock = simulatedClock(START)
    const engine = createEngine({ store: temp.open(), clock, random: () => 0.5, recover: false, ...options })
    engines.push(engine)
    return { engine, clock }
  }

  /** A run of `definition` whose `big` waits on its approval. */
  async function waiting(engine: Engine, definition: unknown, principal?: string) {
    await engine.register(definition)
    const run = await engine.start('wf', { orderId: 'A-1' }, principal ? { principal } : {})
    await engine.idle()
    expect((await engine.getRun(run.runId))!.tasks.big!.status).toBe('waiting')
    return run.runId
  }

  it('grants on approve: the output says who and when, the granted branch runs', async () => {
    const { engine, clock } = open()
    const runId = await waiting(
      engine,
      orderFlow({ data: { total: 1200 }, levels: [{ approvers: ['alice'] }] }),
    )
    clock.advance(5_000)
    await engine.approve(runId, 'big', { by: 'alice', comment: 'fine' })
    const view = await engine.wait(runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.big!.output).toEqual({
      approved: true,
      decision: 'approved',
      by: 'alice',
      at: START + 5_000,
      comment: 'fine',
      votes: [{ by: 'alice', decision: 'approved', at: START + 5_000, level: 0, comment: 'fine' }],
      level: 0,
      timedOut: false,
    })
    expect(view.tasks.ship!.status).toBe('completed')
    expect(view.tasks.refuse!.status).toBe('skipped')
    const history = await engine.history(runId)
    expect(history.find((e) => e.type === 'approval.required')).toMatchObject({
      taskId: 'big',
      level: 0,
      title: 'Approve order A-1',
      data: { total: 1200 },
      approvers: ['alice'],
      groups: [],
      quorum: 1,
    })
    expect(history.filter((e) => e.type.startsWith('approval.')).map((e) => e.type)).toEqual([
      'approval.required',
      'approval.voted',
      'approval.granted',
    ])
  })

  it('one reject completes the task with approved false, and the other branch runs', async () => {
    const { engine } = open()
    const runId = await waiting(
      engine,
      orderFlow({ levels: [{ approvers: ['alice', 'bob'], quorum: 'all' }] }),
    )
    await engine.approve(runId, 'big', { by: 'alice' })
    await engine.reject(runId, 'big', { by: 'bob', comment: 'over budget' })
    const view = await engine.wait(runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.big!.output).toMatchObject({
      approved: false,
      decision: 'rejected',
      by: 'bob',
      comment: 'over budget',
    })
    expect(view.tasks.ship!.status).toBe('skipped')
    expect(view.tasks.refuse!.output).toBe('refused')
  })

  it('counts a quorum of group members; groupsOf (async) says who is in which group', async () => {
    const groups: Record<string, string[]> = { carol: ['finance'], dan: ['finance', 'ops'] }
    const { engine } = open({ groupsOf: async (p) => groups[p] ?? [] })
    const runId = await waiting(engine, orderFlow({ levels: [{ groups: ['finance'], quorum: 2 }] }))
    await engine.approve(runId, 'big', { by: 'carol' })
    expect((await engine.getRun(runId))!.tasks.big!.status).toBe('waiting')
    await engine.approve(runId, 'big', { by: 'dan' })
    const view = await engine.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: true, by: 'dan' })
    expect((view.tasks.big!.output as { votes: unknown[] }).votes).toHaveLength(2)
  })

  it('asks each forEach item on its own, addressed as "<taskId>[<index>]"', async () => {
    const { engine } = open()
    await engine.register(
      def(
        {
          lines: {
            action: 'approval',
            forEach: '[10, 2000, 30]',
            params: { title: 'Line ${ index }: ${ item }', levels: [{ approvers: ['alice'] }] },
          },
        },
        { output: 'tasks.lines.output.map(o, o.approved)' },
      ),
    )
    const { runId } = await engine.start('wf')
    await engine.idle()
    const required = (await engine.history(runId)).filter((e) => e.type === 'approval.required')
    expect(required.map((e) => [(e as { index?: number }).index, (e as { title: string }).title])).toEqual([
      [0, 'Line 0: 10'],
      [1, 'Line 1: 2000'],
      [2, 'Line 2: 30'],
    ])
    await expect(engine.approve(runId, 'lines', { by: 'alice' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('"lines[<index>]"'),
    })
    await engine.approve(runId, 'lines[2]', { by: 'alice' })
    await engine.reject(runId, 'lines[1]', { by: 'alice' })
    expect((await engine.getRun(runId))!.tasks.lines!.status).toBe('waiting')
    await expect(engine.approve(runId, 'lines[1]', { by: 'alice' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    })
    await engine.approve(runId, 'lines[0]', { by: 'alice' })
    const view = await engine.wait(runId)
    expect(view.output).toEqual([true, false, true])
  })

  it('runs the README example', async () => {
    const { engine } = open({
      groupsOf: (principal) => ({ carol: ['finance'], dan: ['finance'] })[principal] ?? [],
    })
    await engine.register({
      schemaVersion: '2.0',
      id: 'order',
      version: '1.0.0',
      params: { orderId: { type: 'string', required: true }, total: { type: 'number', required: true } },
      tasks: {
        big: {
          action: 'approval',
          params: {
            title: 'Approve order ${ input.orderId }',
            data: '${ input }',
            form: {
              type: 'object',
              required: ['limit'],
              properties: { limit: { type: 'integer', minimum: 1 } },
            },
            levels: [
              { approvers: ['alice'], timeoutMs: 86400000, onTimeout: 'escalate' },
              { groups: ['finance'], quorum: 2, timeoutMs: 172800000, onTimeout: 'reject' },
            ],
          },
        },
        ship: {
          action: 'transform',
          dependsOn: ['big'],
          when: 'tasks.big.output.approved',
          params: { value: 'ship' },
        },
        tell: {
          action: 'transform',
          dependsOn: ['big'],
          when: '!tasks.big.output.approved',
          params: { value: 'refused' },
        },
      },
    })
    const { runId } = await engine.start('order', { orderId: 'A-1', total: 1200 }, { principal: 'bob' })
    await engine.idle()
    await engine.approve(runId, 'big', { by: 'alice', comment: 'fine', form: { limit: 500 } })
    const view = await engine.wait(runId)
    expect(view.tasks.big!.output).toMatchObject({ approved: true, by: 'alice', form: { limit: 500 } })
    expect(view.tasks.ship!.status).toBe('completed')
    expect((await engine.history(runId)).find((e) => e.type === 'approval.required')).toMatchObject({
      data: { orderId: 'A-1', total: 1200 },
    })
  })

  it('fails the task with INPUT_INVALID when its params, computed as it runs, are bad', async () => {
    const { engine } = open()
    const bad = [
      { levels: [{ approvers: ['alice'] }], title: '' },
      { title: 't', levels: [] },
      { title: 't', levels: [{ approvers: [] }] },
      { title: 't', levels: [{ approvers: ['a'], quorum: 2 }] },
      { title: 't', levels: [{ groups: ['g'], quorum: 'all' }] },
      { title: 't', levels: [{ approvers: ['a'], onTimeout: 'escalate', timeoutMs: 5 }] },
      { title: 't', levels: [{ approvers: ['a'], onTimeout: 'later' }] },
      { title: 't', levels: [{ approvers: ['a'], timeoutMs: -1 }] },
      { title: 't', levels: [{ approvers: ['a'] }], form: { type: 'object', oneOf: [] } },
      { title: 't', levels: [{ approvers: ['a'] }], selfApproval: 'yes' },
    ]
    for (const [i, params] of bad.entries()) {
      // Literal, each is refused at register (an unknown key, even computed); as `${ }` it reaches the action.
      const computed = Object.fromEntries(Object.keys(params).map((key) => [key, `\${ input.p.${key} }`]))
      await engine.register({
        ...def({ big: { action: 'approval', params: computed } }),
        version: `1.0.${i}`,
      })
      const { runId } = await engine.start('wf', { p: params }, { version: `1.0.${i}` })
      const view = await engine.wait(runId)
      expect(view.status, JSON.stringify(params)).toBe('failed')
      expect(view.tasks.big!.error!.code, JSON.stringify(params)).toBe('INPUT_INVALID')
      expect((await engine.history(runId)).some((e) => e.type === 'approval.required')).toBe(false)
    }
  })
})
