import { filter } from 'rxjs'
import {
  type AccessRequest,
  ArgumentError,
  EngineClosedError,
  ForbiddenError,
  type HistoryEntry,
  isRunEvent,
} from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngines } from '../support/engine-fixtures'

const testEngine = testEngines()

/** `a` then `b` (held open by the test), then `gate` waits for the signal `go`. */
const definition = def(
  {
    a: { action: 'noop' },
    b: { action: 'slow', dependsOn: ['a'] },
    gate: { action: 'wait-for-event', dependsOn: ['b'], trigger: 'all-done', params: { event: 'go' } },
  },
  { defaults: { retry: { maxAttempts: 1 } } },
)

/** An engine whose `authorize` records every request and refuses those `refuse` picks. */
function guarded(refuse: (request: AccessRequest) => boolean | Promise<boolean> = () => false) {
  const asked: AccessRequest[] = []
  const slow = controllable()
  const made = testEngine({
    actions: { slow: slow.handler },
    authorize: async (request) => {
      asked.push(request)
      return !(await refuse(request))
    },
  })
  return { ...made, asked, slow }
}

/** What a refused call must leave as it was. */
async function observed(engine: ReturnType<typeof guarded>['engine'], runId: string) {
  return {
    history: await engine.history(runId),
    runs: await engine.listRuns(),
    run: await engine.getRun(runId),
  }
}

const controlEvents = (history: HistoryEntry[]) =>
  history.filter((e) => e.by !== undefined).map((e) => [e.type, e.by])

describe('principals and access', () => {
  it('refuses a control call authorize says no to with FORBIDDEN, and changes nothing', async () => {
    const { engine, asked, slow } = guarded((r) => r.principal === 'bob' && r.verb === 'cancel')
    await engine.register(definition)
    const { runId } = await engine.as('ann').start('wf')
    await engine.idle()
    expect(slow.calls).toHaveLength(1)
    const before = await observed(engine, runId)
    const refusal = engine.as('bob').cancel(runId, 'not mine')
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError)
    await expect(refusal).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await engine.idle()
    expect(await observed(engine, runId)).toEqual(before)
    expect(slow.calls[0]!.ctx.signal.aborted).toBe(false)
    expect(asked.at(-1)).toEqual({ principal: 'bob', verb: 'cancel', runId, definitionId: 'wf' })
  })

  it('asks authorize about every call that changes something, with its verb, and about no read', async () => {
    const { engine, asked, slow } = guarded(() => false)
    const ann = engine.as('ann')
    await ann.register(definition)
    const { runId } = await ann.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    await ann.pause(runId)
    await ann.resume(runId)
    await ann.checkpoint(runId, 'before b')
    await ann.signal(runId, 'go', { ok: true })
    await ann.skipTask(runId, 'b')
    await engine.idle()
    await engine.getRun(runId)
    await engine.listRuns()
    await engine.history(runId)
    await engine.checkpoints(runId)
    await ann.getDefinition('wf')
    await ann.listDefinitions()
    await ann.recover()
    expect(slow.calls).toHaveLength(1)
    expect(asked.map((r) => [r.verb, r.principal, r.runId, r.taskId])).toEqual([
      ['register', 'ann', undefined, undefined],
      ['start', 'ann', undefined, undefined],
      ['pause', 'ann', 'r1', undefined],
      ['resume', 'ann', 'r1', undefined],
      ['checkpoint', 'ann', 'r1', undefined],
      ['signal', 'ann', 'r1', undefined],
      ['skipTask', 'ann', 'r1', 'b'],
      ['recover', 'ann', undefined, undefined],
    ])
    expect(asked.every((r) => r.verb === 'recover' || r.definitionId === 'wf')).toBe(true)
    await ann.register({ ...definition, id: 'unused' })
    await ann.deleteDefinition('unused', '1.0.0')
    expect(asked.at(-1)).toEqual({ principal: 'ann', verb: 'deleteDefinition', definitionId: 'unused' })
    expect(await engine.getDefinition('unused')).toBeUndefined()
  })

  it('stamps the calling principal as `by` on every control event it journals', async () => {
    const { engine, slow } = guarded()
    await engine.register(definition)
    const ann = engine.as('ann')
    const started = await ann.start('wf', {}, { runId: 'r1' })
    expect(started.principal).toBe('ann')
    await engine.idle()
    await ann.pause('r1')
    await engine.as('bob').resume('r1')
    await ann.checkpoint('r1', 'mid-way')
    slow.calls[0]!.reject(new Error('down'))
    await engine.idle()
    await engine.as('cy').skipTask('r1', 'b')
    await engine.idle()
    await engine.as('dee').signal('r1', 'go', 1)
    await engine.idle()
    const [afterA] = await engine.checkpoints('r1')
    await engine.as('eve').rollback('r1', afterA!.checkpointId)
    await engine.as('fay').cancel('r1', 'enough')
    expect(controlEvents(await engine.history('r1'))).toEqual([
      ['workflow.started', 'ann'],
      ['workflow.paused', 'ann'],
      ['workflow.resumed', 'bob'],
      ['checkpoint.saved', 'ann'],
      ['task.skipped', 'cy'],
      ['signal.received', 'dee'],
      ['workflow.rolled-back', 'eve'],
      ['workflow.cancelled', 'fay'],
    ])
    // The engine's own events name nobody.
    const own = (await engine.history('r1')).filter(
      (e) => e.type === 'task.started' || e.type === 'task.failed',
    )
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((e) => e.by === undefined)).toBe(true)
  })

  it('stamps `by` on a manual retry and leaves calls without a principal unstamped', async () => {
    const { engine, slow } = guarded()
    await engine.register(definition)
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    slow.calls[0]!.reject(new Error('down'))
    await engine.idle()
    await engine.as('ann').retryTask('r1', 'b')
    await engine.pause('r1')
    const history = await engine.history('r1')
    expect(controlEvents(history)).toEqual([['task.retrying', 'ann']])
    expect(history.find((e) => e.type === 'workflow.paused')!.by).toBeUndefined()
  })

  it('runs an async authorize before anything is written: a refused start leaves no run', async () => {
    let release!: (allowed: boolean) => void
    const { engine } = guarded(
      (r) => r.verb === 'start' && new Promise<boolean>((resolve) => (release = (ok) => resolve(!ok))),
    )
    await engine.register(definition)
    const starting = engine.as('ann').start('wf', {}, { runId: 'r1' })
    await expect.poll(() => release).toBeTypeOf('function')
    expect((await engine.listRuns()).runs).toEqual([])
    release(false)
    await expect(starting).rejects.toMatchObject({
      code: 'FORBIDDEN',
      value: { principal: 'ann', verb: 'start' },
    })
    expect((await engine.listRuns()).runs).toEqual([])
    expect(await engine.getRun('r1')).toBeUndefined()
  })

  it('refuses register and deleteDefinition authorize says no to, leaving the definitions as they were', async () => {
    const { engine } = guarded((r) => r.principal === 'bob')
    await engine.as('ann').register(definition)
    await expect(engine.as('bob').register({ ...definition, version: '2.0.0' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      value: { principal: 'bob', verb: 'register', definitionId: 'wf' },
    })
    await expect(engine.as('bob').deleteDefinition('wf')).rejects.toBeInstanceOf(ForbiddenError)
    expect((await engine.listDefinitions()).map((d) => d.version)).toEqual(['1.0.0'])
  })

  it('fails the call with the error a throwing authorize throws, and changes nothing', async () => {
    const { engine } = guarded((r) => {
      if (r.verb === 'pause') throw new TypeError('policy service down')
      return false
    })
    await engine.register(definition)
    const { runId } = await engine.start('wf')
    await engine.idle()
    const before = await observed(engine, runId)
    await expect(engine.as('ann').pause(runId)).rejects.toThrow('policy service down')
    expect(await observed(engine, runId)).toEqual(before)
  })

  it('keeps a run in the name of its caller: another principal in StartOptions is FORBIDDEN', async () => {
    const { engine, asked } = guarded()
    await engine.register(definition)
    await expect(engine.as('ann').start('wf', {}, { principal: 'boss' })).rejects.toBeInstanceOf(
      ForbiddenError,
    )
    expect(asked.filter((r) => r.verb === 'start')).toEqual([])
    expect((await engine.listRuns()).runs).toEqual([])
    const own = await engine.as('ann').start('wf', {}, { principal: 'ann' })
    expect(own.principal).toBe('ann')
    // Without a caller the engine's owner names the run's principal, who is then its `by`.
    const named = await engine.start('wf', {}, { principal: 'boss', runId: 'named' })
    expect(named.principal).toBe('boss')
    expect((await engine.history('named'))[0]!.by).toBe('boss')
  })

  it('gives the same engine: runs, reads and events are shared, and `as` of a view switches principal', async () => {
    const { engine } = guarded()
    await engine.register(definition)
    const ann = engine.as('ann')
    const seen: string[] = []
    const subscription = ann.events$
      .pipe(filter(isRunEvent))
      .subscribe((e) => seen.push(`${e.type}:${e.by ?? ''}`))
    await ann.as('bob').start('wf', {}, { runId: 'r1' })
    await engine.idle()
    subscription.unsubscribe()
    expect(seen[0]).toBe('workflow.started:bob')
    expect((await engine.getRun('r1'))!.principal).toBe('bob')
    expect(ann.storeName).toBe(engine.storeName)
    expect(ann.actionNames).toEqual(engine.actionNames)
  })

  it('refuses a principal that is not a non-empty string, and an authorize that is not a function', async () => {
    const { engine } = guarded()
    expect(() => engine.as('')).toThrow(ArgumentError)
    expect(() => engine.as(42 as never)).toThrow(ArgumentError)
    expect(() => testEngine({ authorize: 'yes' as never })).toThrow(ArgumentError)
  })

  it('does not ask authorize about the recovery an engine makes of its own on creation', async () => {
    const { engine, store } = guarded()
    await engine.register(definition)
    await engine.start('wf', {}, { runId: 'r1' })
    await engine.idle()
    await engine.close()
    const asked: AccessRequest[] = []
    const second = testEngine({
      store,
      recover: true,
      actions: { slow: controllable().handler },
      authorize: (r) => {
        asked.push(r)
        return false
      },
    }).engine
    await second.idle()
    expect(asked).toEqual([])
  })

  it('does not let an authorize that never answers hold close() up: the call is refused with ENGINE_CLOSED', async () => {
    let asked = false
    const { engine, slow } = guarded((r) => {
      if (r.verb !== 'pause') return false
      asked = true
      return new Promise<boolean>(() => {})
    })
    await engine.register(definition)
    const { runId } = await engine.start('wf')
    await engine.idle()
    const pausing = engine.as('ann').pause(runId)
    await expect.poll(() => asked).toBe(true)
    await engine.close()
    await expect(pausing).rejects.toBeInstanceOf(EngineClosedError)
    expect(slow.calls).toHaveLength(1)
  })
})
