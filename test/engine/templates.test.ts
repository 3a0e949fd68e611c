import { type ActionHandler, type Engine, templates } from 'spindle'
import { describe, expect, inject, it } from 'vitest'
import { testEngines } from '../support/engine-fixtures'

const server = inject('testServer')

/** Stand-ins for a template's actions: each records its params; `answers` override the output. */
function standIns(names: readonly string[], answers: Record<string, (params: any) => unknown> = {}) {
  const calls: { action: string; params: any }[] = []
  const actions: Record<string, ActionHandler> = {}
  for (const name of names)
    actions[name] = (params) => {
      calls.push({ action: name, params })
      return answers[name]?.(params) ?? { from: name }
    }
  return { actions, calls }
}

const actionsOf = (id: string) => templates.find((t) => t.id === id)!.actions

async function run(engine: Engine, id: string, input: Record<string, unknown>) {
  return engine.wait((await engine.start(id, input)).runId)
}

describe('instantiating and running each template', () => {
  const open = testEngines()

  it('document processing: upload → ocr → analyze → store, each step given the one before', async () => {
    const { actions, calls } = standIns(actionsOf('document-processing'))
    const { engine } = open({ actions })
    await engine.instantiate('document-processing', { languages: ['eng'] }, { name: 'Invoices' })
    const view = await run(engine, 'invoices', { file: '/in/a.pdf' })
    expect(view.status).toBe('completed')
    expect(calls.map((c) => c.action)).toEqual(['upload', 'ocr', 'analyze', 'store'])
    expect(calls[0]!.params).toEqual({
      file: '/in/a.pdf',
      max_size: 10_485_760,
      allowed_types: ['pdf', 'docx', 'jpg', 'png'],
    })
    expect(calls[1]!.params).toEqual({
      document: { from: 'upload' },
      engine: 'tesseract',
      languages: ['eng'],
    })
  })

  it('data pipeline: extract → transform → validate → load with the chosen mode', async () => {
    const { actions, calls } = standIns(actionsOf('data-pipeline'))
    const { engine } = open({ actions })
    await engine.instantiate('data-pipeline', { table: 'orders', mode: 'upsert' })
    expect((await run(engine, 'data-pipeline', {})).status).toBe('completed')
    expect(calls.map((c) => c.action)).toEqual(['extract', 'transform-data', 'validate-data', 'load'])
    expect(calls[3]!.params).toMatchObject({
      table: 'orders',
      mode: 'upsert',
      records: { from: 'validate-data' },
    })
  })

  it('notification flow: one message on email, Slack and a webhook side by side; a failed channel does not stop the others', async () => {
    const { actions, calls } = standIns(actionsOf('notification-flow'), {
      prepare: (p) => ({ text: `hello ${p.variables.name}` }),
      slack: () => {
        throw new Error('slack is down')
      },
    })
    const { engine } = open({ actions, http: { allow: [server] } })
    await engine.instantiate('notification-flow', {
      webhookUrl: `${server}/http/echo`,
      recipients: ['a@x.test'],
    })
    const view = await run(engine, 'notification-flow', { variables: { name: 'Ada' } })
    expect(view.status).toBe('completed')
    expect(calls.find((c) => c.action === 'email')!.params).toEqual({
      to: ['a@x.test'],
      subject: 'Notification',
      message: { text: 'hello Ada' },
    })
    const echoed = JSON.parse((view.tasks.webhook!.output as { body: { body: string } }).body.body)
    expect(echoed).toEqual({ text: 'hello Ada' })
    expect(view.tasks.slack!.status).toBe('failed')
    expect(view.output).toEqual({ email: 'completed', slack: 'failed', webhook: 'completed' })
  })

  it('approval chain: the first approver decides', async () => {
    const { engine } = open()
    await engine.instantiate('approval-chain', { level1_approver: 'alice', level2_approver: 'bob' })
    const { runId } = await engine.start('approval-chain', { details: { amount: 120 } })
    await engine.idle()
    await engine.approve(runId, 'approve', { by: 'alice' })
    const view = await engine.wait(runId)
    expect(view.output).toMatchObject({ approved: true, by: 'alice' })
    expect(view.tasks.approved!.output).toEqual({ decision: 'approved', by: 'alice' })
    expect(view.tasks.rejected!.status).toBe('skipped')
  })

  it('approval chain: the first level times out, the request escalates to the second approver', async () => {
    const { engine, clock } = open()
    await engine.instantiate('approval-chain', {
      level1_approver: 'alice',
      level2_approver: 'bob',
      request_title: 'Budget',
      level1TimeoutMs: 60_000,
    })
    const { runId } = await engine.start('approval-chain', {})
    await engine.idle()
    clock.advance(60_000)
    await engine.idle()
    await expect(engine.approve(runId, 'approve', { by: 'alice' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    await engine.reject(runId, 'approve', { by: 'bob', comment: 'not this quarter' })
    const view = await engine.wait(runId)
    expect(view.tasks.rejected!.output).toEqual({ decision: 'rejected', by: 'bob' })
    const types = (await engine.history(runId)).map((e) => e.type)
    expect(types).toEqual(
      expect.arrayContaining(['approval.expired', 'approval.escalated', 'approval.rejected']),
    )
  })

  it('parallel processing: three agents, three checks, one aggregate', async () => {
    const { actions, calls } = standIns(actionsOf('parallel-processing'), {
      agent_task: (p) =>
        p.results ? { total: p.results.length } : { agent: p.agent, partition: p.partition },
    })
    const { engine } = open({ actions })
    await engine.instantiate('parallel-processing', { worker_agent_2: 'CX' })
    const view = await run(engine, 'parallel-processing', { items: [1, 2, 3, 4] })
    expect(view.output).toEqual({ total: 3 })
    const workers = calls.filter((c) => c.action === 'agent_task' && c.params.partition !== undefined)
    expect(workers.map((c) => [c.params.agent, c.params.partition, c.params.partitions])).toEqual([
      ['CA', 1, 3],
      ['CX', 2, 3],
      ['CC', 3, 3],
    ])
    expect(calls.filter((c) => c.action === 'quality_check')).toHaveLength(3)
  })

  it('sequential pipeline: a step that keeps failing pauses the run; resume runs it again', async () => {
    let failing = true
    const { actions } = standIns(actionsOf('sequential-pipeline'), {
      agent_task: (p) => {
        if (p.task === 'transform' && failing) throw new Error('bad batch')
        return { step: p.task }
      },
    })
    const { engine, clock } = open({ actions })
    await engine.instantiate('sequential-pipeline', { retries: 1, retryDelayMs: 10 })
    const { runId } = await engine.start('sequential-pipeline', { source: 's3://in' })
    await engine.idle()
    clock.advance(10)
    await engine.idle()
    expect((await engine.getRun(runId))!.status).toBe('paused')
    failing = false
    await engine.resume(runId)
    expect(await engine.wait(runId)).toMatchObject({ status: 'completed', output: { step: 'load' } })
  })

  it.each([
    [0.9, 'urgent'],
    [0.2, 'standard'],
  ])('conditional workflow: priority %s takes the %s path and the join runs', async (priority, path) => {
    const { actions, calls } = standIns(actionsOf('conditional-workflow'), {
      agent_task: (p) => (p.task === 'assess' ? { priority } : { handledBy: p.agent }),
    })
    const { engine } = open({ actions })
    await engine.instantiate('conditional-workflow', {})
    const view = await run(engine, 'conditional-workflow', { request: { id: 7 } })
    expect(view.output).toEqual({ path, priority })
    expect(view.tasks[path === 'urgent' ? 'standard' : 'urgent']!.status).toBe('skipped')
    expect(calls.at(-1)!.params.agent).toBe(path === 'urgent' ? 'urgent_agent' : 'standard_agent')
  })

  it.each([['process-control'], ['troubleshooting'], ['knowledge-ingestion']])(
    '%s: each step gets the previous result and the input',
    async (id) => {
      const steps = actionsOf(id)
      const { actions, calls } = standIns(
        steps,
        Object.fromEntries(steps.map((s) => [s, () => ({ done: s })])),
      )
      const { engine } = open({ actions })
      await engine.instantiate(id, {})
      const info = templates.find((t) => t.id === id)!
      const required = Object.keys((await engine.getDefinition(id))!.params!)
      const input = Object.fromEntries(required.map((k) => [k, `${k}!`]))
      const view = await run(engine, id, input)
      expect(view).toMatchObject({ status: 'completed', output: { done: steps.at(-1) } })
      expect(calls.map((c) => c.action)).toEqual(info.actions)
      expect(calls[1]!.params).toEqual({ state: input, previous: { done: steps[0] } })
      await expect(engine.start(id, {})).rejects.toMatchObject({ code: 'INPUT_INVALID' })
    },
  )

  it('bad params register nothing; authorize is asked as for register', async () => {
    const asked: string[] = []
    const { engine } = open({
      authorize: ({ principal, verb, definitionId }) => {
        asked.push(`${principal}:${verb}:${definitionId}`)
        return principal !== 'mallory'
      },
    })
    await expect(engine.instantiate('approval-chain', { level1_approver: 'a' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    })
    await expect(
      engine.as('mallory').instantiate('approval-chain', { level1_approver: 'a', level2_approver: 'b' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await engine.listDefinitions()).toEqual([])
    await engine.as('ann').instantiate('approval-chain', { level1_approver: 'a', level2_approver: 'b' })
    expect(asked).toEqual(['mallory:register:approval-chain', 'ann:register:approval-chain'])
    expect((await engine.listTemplates()).map((t) => t.id)).toEqual(templates.map((t) => t.id))
  })
})
