import { createEngine, type Engine, type EngineOptions, simulatedClock } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { tempStores } from '../store/temp-database'
import { controllable } from '../support/engine-fixtures'

const START = Date.UTC(2026, 0, 1)

const child = {
  schemaVersion: '2.0',
  id: 'child',
  version: '1.0.0',
  params: { n: { type: 'number', required: true } },
  tasks: { double: { action: 'transform', params: { value: '${ input.n * 2 }' } } },
  output: 'tasks.double.output',
}

function parent(task: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { schemaVersion: '2.0', id: 'parent', version: '1.0.0', tasks: { sub: task }, ...extra }
}

describe('subworkflow: child runs through the public API, in IndexedDB', () => {
  const temp = tempStores()
  const engines: Engine[] = []
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()))
  })
  const open = (options: EngineOptions = {}) => {
    const engine = createEngine({
      store: temp.open(),
      clock: simulatedClock(START),
      random: () => 0.5,
      ...options,
    })
    engines.push(engine)
    return engine
  }

  it("starts the child as the parent's principal, whom authorize is asked about", async () => {
    const asked: { principal?: string; verb: string; definitionId?: string }[] = []
    const engine = open({
      authorize: (request) => {
        asked.push(request)
        return request.principal === 'ann'
      },
    })
    await engine.as('ann').register(child)
    await engine
      .as('ann')
      .register(
        parent(
          { action: 'subworkflow', params: { workflow: 'child', input: { n: 2 } } },
          { output: 'tasks.sub.output' },
        ),
      )
    const { runId } = await engine.as('ann').start('parent', {}, { runId: 'p1' })
    const done = await engine.wait(runId)
    expect(done).toMatchObject({ status: 'completed', output: 4 })
    expect(await engine.getRun('p1/sub')).toMatchObject({ principal: 'ann', status: 'completed' })
    expect(asked.filter((r) => r.verb === 'start')).toEqual([
      { principal: 'ann', verb: 'start', definitionId: 'parent' },
      { principal: 'ann', verb: 'start', definitionId: 'child' },
    ])
    const started = (await engine.history('p1/sub')).find((e) => e.type === 'workflow.started')
    expect(started?.by).toBe('ann')
  })

  it("passes the child's output through, under the id <parentRunId>/<taskId>, linked both ways", async () => {
    const engine = open()
    await engine.register(child)
    await engine.register(
      parent(
        { action: 'subworkflow', params: { workflow: 'child', input: { n: 21 } } },
        { output: 'tasks.sub.output' },
      ),
    )
    const { runId } = await engine.start('parent', {}, { runId: 'p1' })
    const done = await engine.wait(runId)
    expect(done.status).toBe('completed')
    expect(done.output).toBe(42)
    expect(done.children).toEqual(['p1/sub'])
    const kid = await engine.getRun('p1/sub')
    expect(kid).toMatchObject({ status: 'completed', parentRunId: 'p1', output: 42, version: '1.0.0' })
    expect((await engine.listRuns({ parentRunId: 'p1' })).runs.map((r) => r.runId)).toEqual(['p1/sub'])
    const types = (await engine.history('p1')).map((e) => e.type)
    expect(types).toEqual([
      'workflow.started',
      'task.started',
      'child.started',
      'task.waiting',
      'child.completed',
      'task.completed',
      'workflow.completed',
    ])
    expect((await engine.history('p1')).find((e) => e.type === 'child.started')).toMatchObject({
      taskId: 'sub',
      childRunId: 'p1/sub',
      workflow: 'child',
      version: '1.0.0',
    })
  })

  it('pins the version resolved as the child starts, and starts it with the parent principal', async () => {
    const engine = open()
    await engine.register(child)
    await engine.register({ ...child, version: '2.0.0' })
    await engine.register(parent({ action: 'subworkflow', params: { workflow: 'child', input: { n: 1 } } }))
    await engine.register({
      ...parent({ action: 'subworkflow', params: { workflow: 'child', version: '1.0.0', input: { n: 1 } } }),
      version: '1.1.0',
    })
    const latest = await engine.start('parent', {}, { runId: 'a', version: '1.0.0', principal: 'alice' })
    const pinned = await engine.start('parent', {}, { runId: 'b', version: '1.1.0' })
    await engine.wait(latest.runId)
    await engine.wait(pinned.runId)
    expect(await engine.getRun('a/sub')).toMatchObject({ version: '2.0.0', principal: 'alice' })
    expect(await engine.getRun('b/sub')).toMatchObject({ version: '1.0.0' })
  })

  it('wait: false outputs { runId } at once and leaves the child running', async () => {
    const slow = controllable()
    const engine = open({ actions: { slow: slow.handler } })
    await engine.register({ ...child, tasks: { s: { action: 'slow' } }, output: 'tasks.s.output' })
    await engine.register(
      parent({ action: 'subworkflow', params: { workflow: 'child', input: { n: 1 }, wait: false } }),
    )
    const done = await engine.wait((await engine.start('parent', {}, { runId: 'p' })).runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.sub!.output).toEqual({ runId: 'p/sub' })
    expect((await engine.getRun('p/sub'))!.status).toBe('running')
    slow.calls[0]!.resolve('late')
    expect((await engine.wait('p/sub')).output).toBe('late')
  })

  it('a failed child fails the attempt with CHILD_FAILED (its error as cause); the retry retries the same child', async () => {
    let calls = 0
    const engine = open({
      actions: {
        flaky: () => {
          calls += 1
          if (calls === 1) throw Object.assign(new Error('disk full'), { code: 'DISK' })
          return 'ok'
        },
      },
    })
    await engine.register({
      ...child,
      params: {},
      tasks: { f: { action: 'flaky' } },
      output: 'tasks.f.output',
    })
    await engine.register(
      parent({
        action: 'subworkflow',
        params: { workflow: 'child' },
        retry: { maxAttempts: 2, initialDelayMs: 0 },
      }),
    )
    const done = await engine.wait((await engine.start('parent', {}, { runId: 'p' })).runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.sub).toMatchObject({ status: 'completed', attempts: 2, output: 'ok' })
    const failed = (await engine.history('p')).find((e) => e.type === 'task.failed')
    expect(failed).toMatchObject({
      error: { code: 'CHILD_FAILED', cause: { code: 'TASK_FAILED' } },
      final: false,
    })
    expect((await engine.history('p')).filter((e) => e.type === 'child.started')).toHaveLength(1)
    const kid = await engine.getRun('p/sub')
    expect(kid).toMatchObject({ status: 'completed', tasks: { f: { attempts: 2 } } })
    expect((await engine.listRuns({ parentRunId: 'p' })).runs).toHaveLength(1)
  })

  it("retryTask on the parent's failed task retries the child's failed task, not a new child", async () => {
    let fail = true
    const engine = open({
      actions: {
        flaky: () => {
          if (fail) throw new Error('down')
          return 'up'
        },
      },
    })
    await engine.register({
      ...child,
      params: {},
      tasks: { f: { action: 'flaky' } },
      output: 'tasks.f.output',
    })
    await engine.register(parent({ action: 'subworkflow', params: { workflow: 'child' } }))
    const failed = await engine.wait((await engine.start('parent', {}, { runId: 'p' })).runId)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ code: 'TASK_FAILED', taskId: 'sub' })
    expect(failed.tasks.sub!.error).toMatchObject({ code: 'CHILD_FAILED' })
    expect(failed.tasks.sub!.error!.message).toContain('child run "p/sub" failed')
    fail = false
    await engine.retryTask('p', 'sub')
    const done = await engine.wait('p')
    expect(done.status).toBe('completed')
    expect(done.tasks.sub!.output).toBe('up')
    expect((await engine.getRun('p/sub'))!.tasks.f!.attempts).toBe(2)
  })

  it('runs one child per forEach item, with ids <parentRunId>/<taskId>[<index>], outputs in item order', async () => {
    const engine = open()
    await engine.register(child)
    await engine.register(
      parent({
        action: 'subworkflow',
        forEach: '[1, 2, 3]',
        params: { workflow: 'child', input: { n: '${ item }' } },
      }),
    )
    const done = await engine.wait((await engine.start('parent', {}, { runId: 'p' })).runId)
    expect(done.status).toBe('completed')
    expect(done.tasks.sub!.output).toEqual([2, 4, 6])
    expect(done.children).toEqual(['p/sub[0]', 'p/sub[1]', 'p/sub[2]'])
    expect((await engine.getRun('p/sub[1]'))!.parentRunId).toBe('p')
  })

  it('refuses at register a definition whose subworkflow names its own id literally', async () => {
    const engine = open()
    await engine.idle()
    const self = parent({ action: 'subworkflow', params: { workflow: 'parent' } })
    await expect(engine.register(self)).rejects.toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [expect.objectContaining({ path: 'tasks.sub.params.workflow', code: 'self_reference' })],
    })
    expect(await engine.listDefinitions()).toEqual([])
  })

  it('fails the task that would start a child deeper than 8 levels, with a clear error', async () => {
    const engine = open()
    // The workflow names itself through its input, which the register check cannot see.
    await engine.register({
      schemaVersion: '2.0',
      id: 'deep',
      version: '1.0.0',
      params: { wf: { type: 'string', required: true } },
      tasks: {
        down: {
          action: 'subworkflow',
          params: { workflow: '${ input.wf }', input: { wf: '${ input.wf }' } },
        },
      },
    })
    const done = await engine.wait((await engine.start('deep', { wf: 'deep' }, { runId: 'd' })).runId)
    expect(done.status).toBe('failed')
    const ids = ['d']
    for (let i = 0; i < 8; i++) ids.push(`${ids.at(-1)}/down`)
    const deepest = await engine.getRun(ids.at(-1)!)
    expect(deepest!.status).toBe('failed')
    expect(deepest!.tasks.down!.error!.message).toContain('nest at most 8 deep')
    expect(await engine.getRun(`${ids.at(-1)}/down`)).toBeUndefined()
    expect(done.tasks.down!.error).toMatchObject({ code: 'CHILD_FAILED' })
  })

  it('a child that is not registered fails the task with NOT_FOUND as its error', async () => {
    const engine = open()
    await engine.register(parent({ action: 'subworkflow', params: { workflow: 'nope' } }))
    const done = await engine.wait((await engine.start('parent', {}, { runId: 'p' })).runId)
    expect(done.status).toBe('failed')
    expect(done.tasks.sub!.error).toMatchObject({ code: 'NOT_FOUND' })
    expect(done.children).toBeUndefined()
  })

  it('runs the README example', async () => {
    const engine = open()
    await engine.register({
      schemaVersion: '2.0',
      id: 'shipping',
      version: '1.0.0',
      params: { orderId: { type: 'string', required: true } },
      tasks: { label: { action: 'transform', params: { value: "${ 'label for ' + input.orderId }" } } },
      output: 'tasks.label.output',
    })
    await engine.register({
      schemaVersion: '2.0',
      id: 'order',
      version: '1.0.0',
      tasks: {
        ship: { action: 'subworkflow', params: { workflow: 'shipping', input: { orderId: 'A-17' } } },
      },
      output: 'tasks.ship.output',
    })
    const { runId } = await engine.start('order', {}, { runId: 'o-1' })
    const done = await engine.wait(runId)
    expect(done.output).toBe('label for A-17')
    expect(done.children).toEqual(['o-1/ship'])
    expect(await engine.getRun('o-1/ship')).toMatchObject({ parentRunId: 'o-1', status: 'completed' })
    expect((await engine.listRuns({ parentRunId: 'o-1' })).runs).toHaveLength(1)
  })

  it('maxChildDepth sets the depth; a bad one is refused at createEngine', async () => {
    expect(() => createEngine({ maxChildDepth: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => createEngine({ maxChildDepth: 1.5 })).toThrow(/maxChildDepth/)
    const engine = open({ maxChildDepth: 2 })
    await engine.register({
      schemaVersion: '2.0',
      id: 'deep',
      version: '1.0.0',
      params: { wf: { type: 'string', required: true } },
      tasks: {
        down: {
          action: 'subworkflow',
          params: { workflow: '${ input.wf }', input: { wf: '${ input.wf }' } },
        },
      },
    })
    await engine.wait((await engine.start('deep', { wf: 'deep' }, { runId: 'd' })).runId)
    expect((await engine.getRun('d/down/down'))!.tasks.down!.error!.message).toContain('nest at most 2 deep')
    expect(await engine.getRun('d/down/down/down')).toBeUndefined()
  })
})
