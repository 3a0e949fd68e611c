import { createEngine, type Engine, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngines, until } from '../support/engine-fixtures'

/*
 * Trigger rules through the public API. The decision tree is the seeds' "conditional workflow"
 * (an assessment agent routes work by priority; an urgent agent handles the urgent path), in
 * schema 2.0 with `when` on each branch and `none-failed` joins.
 */
const conditionalWorkflow = def({
  assess: { action: 'assess', params: { ticket: '${ input.ticket }' } },
  urgent: {
    action: 'agent',
    dependsOn: ['assess'],
    when: "tasks.assess.output.priority == 'high'",
    params: { agent: 'urgent_agent' },
  },
  escalate: { action: 'agent', dependsOn: ['urgent'], params: { agent: 'on_call' } },
  standard: {
    action: 'agent',
    dependsOn: ['assess'],
    when: "tasks.assess.output.priority == 'normal'",
    params: { agent: 'review_agent' },
  },
  autoApprove: {
    action: 'agent',
    dependsOn: ['standard'],
    when: 'tasks.assess.output.amount < 100',
    params: { agent: 'auto' },
  },
  manualReview: {
    action: 'agent',
    dependsOn: ['standard'],
    when: 'tasks.assess.output.amount >= 100',
    params: { agent: 'reviewer' },
  },
  standardDone: {
    action: 'agent',
    dependsOn: ['autoApprove', 'manualReview'],
    trigger: 'none-failed',
    params: { agent: 'closer' },
  },
  archive: {
    action: 'agent',
    dependsOn: ['assess'],
    when: "tasks.assess.output.priority == 'low'",
    params: { agent: 'archiver' },
  },
  notify: {
    action: 'agent',
    dependsOn: ['escalate', 'standardDone', 'archive'],
    trigger: 'none-failed',
    params: { agent: 'notifier' },
  },
  audit: { action: 'agent', dependsOn: ['notify'], trigger: 'all-done', params: { agent: 'auditor' } },
})

const TICKETS: Record<string, { priority: string; amount: number }> = {
  outage: { priority: 'high', amount: 0 },
  refund: { priority: 'normal', amount: 40 },
  invoice: { priority: 'normal', amount: 900 },
  question: { priority: 'low', amount: 0 },
}

describe('trigger rules', () => {
  const open = testEngines()

  const decisionTree = async () => {
    const ran: string[] = []
    const { engine } = open({
      actions: {
        assess: ({ ticket }: { ticket: string }) => TICKETS[ticket],
        agent: ({ agent }: { agent: string }, ctx) => {
          ran.push(ctx.taskId)
          return agent
        },
      },
    })
    await engine.register(conditionalWorkflow)
    return { engine, ran }
  }

  const taken = (view: Awaited<ReturnType<Engine['wait']>>, status: string) =>
    Object.entries(view.tasks)
      .filter(([, task]) => task.status === status)
      .map(([id]) => id)
      .sort()

  it('the conditional workflow takes one path of the decision tree per ticket and joins after it', async () => {
    const { engine } = await decisionTree()
    const paths: Record<string, string[]> = {}
    for (const ticket of Object.keys(TICKETS)) {
      const { runId } = await engine.start('wf', { ticket })
      const view = await engine.wait(runId)
      expect(view.status).toBe('completed')
      paths[ticket] = taken(view, 'completed')
      // Every task off the path is skipped: by its condition, or (behind it) by its trigger rule.
      expect([...paths[ticket]!, ...taken(view, 'skipped')].sort()).toEqual(
        Object.keys(conditionalWorkflow.tasks).sort(),
      )
    }
    expect(paths).toEqual({
      outage: ['assess', 'audit', 'escalate', 'notify', 'urgent'],
      refund: ['assess', 'audit', 'autoApprove', 'notify', 'standard', 'standardDone'],
      invoice: ['assess', 'audit', 'manualReview', 'notify', 'standard', 'standardDone'],
      question: ['archive', 'assess', 'audit', 'notify'],
    })
  })

  it('journals why each untaken task was skipped', async () => {
    const { engine, ran } = await decisionTree()
    const { runId } = await engine.start('wf', { ticket: 'question' })
    await engine.wait(runId)
    const skips = (await engine.history(runId)).filter((e) => e.type === 'task.skipped')
    const reasons = Object.fromEntries(skips.map((e) => [e.taskId, e.reason]))
    expect(reasons).toEqual({
      urgent: 'condition',
      standard: 'condition',
      escalate: 'trigger',
      autoApprove: 'trigger',
      manualReview: 'trigger',
      standardDone: 'trigger',
    })
    // A task skipped by its trigger never ran, and no `when` of it was evaluated.
    expect(ran.sort()).toEqual(['archive', 'audit', 'notify'])
  })

  it('all-success (the default) skips a task after a skipped dependency; all-done runs it', async () => {
    const { engine } = open()
    await engine.register(
      def({
        gate: { action: 'noop', when: 'input.go' },
        after: { action: 'transform', dependsOn: ['gate'], params: { value: 'ran' } },
        always: { action: 'transform', dependsOn: ['gate'], trigger: 'all-done', params: { value: 'ran' } },
      }),
    )
    const view = await engine.wait((await engine.start('wf', { go: false })).runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.after!.status).toBe('skipped')
    expect(view.tasks.always).toMatchObject({ status: 'completed', output: 'ran' })
  })

  it('one-success starts at the first completion; a later failure of another dependency still fails the run', async () => {
    const fast = controllable()
    const slow = controllable()
    const first = controllable()
    const { engine } = open({ actions: { fast: fast.handler, slow: slow.handler, first: first.handler } })
    await engine.register(
      def({
        fast: { action: 'fast' },
        slow: { action: 'slow' },
        first: {
          action: 'first',
          dependsOn: ['fast', 'slow'],
          trigger: 'one-success',
          params: { s: '${ tasks.slow.output }' },
        },
      }),
    )
    const { runId } = await engine.start('wf')
    await until(() => fast.calls.length === 1 && slow.calls.length === 1)
    fast.calls[0]!.resolve('fast')
    await until(() => first.calls.length === 1)
    // It reads what has ended so far: the slow dependency has no output yet.
    expect(first.calls[0]!.params).toEqual({ s: null })
    first.calls[0]!.resolve('done')
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.first!.status).toBe('completed')
    slow.calls[0]!.reject(new Error('late'))
    const view = await engine.wait(runId)
    expect(view.status).toBe('failed')
    expect(view.error).toMatchObject({ code: 'TASK_FAILED', taskId: 'slow' })
    expect(first.calls).toHaveLength(1)
  })

  it('a migrated task-map definition keeps running a task after a skipped dependency', async () => {
    const calls: string[] = []
    const { engine } = open({
      actions: {
        agent_task: ({ agent }: { agent: string }) => {
          calls.push(agent)
          return agent
        },
      },
    })
    const info = await engine.register({
      name: 'Legacy review',
      execution_mode: 'parallel',
      tasks: {
        draft: { agent_id: 'writer', action: 'agent_task', conditions: ['input.draft'] },
        publish: { agent_id: 'publisher', action: 'agent_task', depends_on: ['draft'] },
      },
    })
    expect(info.migratedFrom).toBe('1.0')
    expect((await engine.getDefinition('legacy-review'))!.tasks.publish!.trigger).toBe('all-done')
    const view = await engine.wait((await engine.start('legacy-review', { draft: false })).runId)
    expect(view.tasks.draft!.status).toBe('skipped')
    expect(view.tasks.publish!.status).toBe('completed')
    expect(calls).toEqual(['publisher'])
  })

  it('refuses an unknown trigger at register, by path, and registers nothing', async () => {
    const { engine } = open()
    const bad = def({
      a: { action: 'noop' },
      b: { action: 'noop', dependsOn: ['a'], trigger: 'one_success' },
    })
    await expect(engine.register(bad)).rejects.toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [expect.objectContaining({ path: 'tasks.b.trigger', code: 'invalid_value' })],
    })
    expect(engine.validate(bad).issues[0]!.message).toContain('did you mean "one-success"?')
    expect(await engine.listDefinitions()).toEqual([])
  })
})

describe('trigger rules in IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })

  it('a run recovered after its untaken branch was skipped replays the skips and finishes the same', async () => {
    const name = temp.open().name
    const held = controllable()
    const open = (actions: Record<string, unknown>) => {
      const engine = createEngine({
        store: temp.open(name),
        clock: simulatedClock(),
        actions: actions as never,
      })
      engines.push(engine)
      return engine
    }
    const first = open({ work: held.handler })
    await first.register(
      def({
        decide: { action: 'noop' },
        yes: { action: 'noop', dependsOn: ['decide'], when: 'false' },
        yesNext: { action: 'noop', dependsOn: ['yes'] },
        no: { action: 'work', dependsOn: ['decide'] },
        join: { action: 'noop', dependsOn: ['yesNext', 'no'], trigger: 'none-failed' },
      }),
    )
    const { runId } = await first.start('wf')
    await until(() => held.calls.length === 1)
    await first.idle()
    await first.close()

    const second = open({ work: () => 'worked' })
    const view = await second.wait(runId)
    expect(view.status).toBe('completed')
    expect(view.tasks.yesNext!.status).toBe('skipped')
    expect(view.tasks.join!.status).toBe('completed')
    const history = await second.history(runId)
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1))
    expect(history.filter((e) => e.type === 'task.skipped' && e.taskId === 'yesNext')).toHaveLength(1)
  })
})
