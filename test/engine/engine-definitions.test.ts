import { DefinitionError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { controllable, def, testEngine } from '../support/engine-fixtures'

describe('definitions through the engine', () => {
  it('rejects an invalid definition with every issue and stores nothing', async () => {
    const { engine } = testEngine()
    const bad = def({ a: { action: 'nope', dependsOn: ['ghost'] } })
    const error = await engine.register(bad).catch((e) => e)
    expect(error).toBeInstanceOf(DefinitionError)
    expect(error.code).toBe('DEFINITION_INVALID')
    expect(error.issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual(
      expect.arrayContaining([
        ['tasks.a.action', 'unknown_action'],
        ['tasks.a.dependsOn[0]', 'unknown_dependency'],
      ]),
    )
    expect(engine.validate(bad)).toEqual({ ok: false, issues: error.issues })
    expect(await engine.listDefinitions()).toEqual([])
  })

  it('refuses literal params a built-in would refuse when it runs, by path, and stores nothing', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'transform', params: { value: 1 } } }))
    const bad = {
      ...def({
        a: { action: 'transform', params: { valeu: 1 } },
        b: { action: 'delay', params: { ms: -1 } },
        c: { action: 'wait-for-event', params: { event: 'go', timeoutMs: 0 } },
        d: { action: 'subworkflow', params: { workflow: 'child', onParentCancel: 'abandn' } },
        e: { action: 'approval', params: { title: 't', levels: [{ approvers: ['ann'], quroum: 1 }] } },
        f: {
          action: 'approval',
          params: { title: 't', levels: [{ approvers: ['ann'] }], form: { oneOf: [] } },
        },
        g: { action: 'delay', params: { ms: '${ input.ms }' } },
      }),
      version: '1.1.0',
    }
    const error = await engine.register(bad).catch((e) => e)
    expect(error).toBeInstanceOf(DefinitionError)
    expect(error.issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual([
      ['tasks.a.params.value', 'param_required'],
      ['tasks.b.params.ms', 'param_invalid'],
      ['tasks.c.params.timeoutMs', 'param_invalid'],
      ['tasks.d.params.onParentCancel', 'param_invalid'],
      ['tasks.e.params.levels[0].quroum', 'unknown_param'],
      ['tasks.f.params.form.oneOf', 'unsupported_keyword'],
    ])
    expect(engine.validate(bad)).toEqual({ ok: false, issues: error.issues })
    expect((await engine.listDefinitions()).map((d) => d.version)).toEqual(['1.0.0'])
    await expect(engine.start('wf', {}, { version: '1.1.0' })).rejects.toThrow()
  })

  it('validate() never throws, whatever it is given', () => {
    const { engine } = testEngine()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const value of [undefined, null, 42, 'not json', () => 1, cyclic, [], { tasks: 5 }]) {
      const result = engine.validate(value)
      expect(result.ok).toBe(false)
      expect(result.issues.length).toBeGreaterThan(0)
    }
  })

  it('registers a version once: the same content again is a no-op, other content is refused', async () => {
    const { engine } = testEngine()
    const first = await engine.register(def({ a: { action: 'noop' } }))
    expect(first).toMatchObject({ id: 'wf', version: '1.0.0', schemaVersion: '2.0', taskCount: 1 })
    expect(await engine.register(def({ a: { action: 'noop' } }))).toEqual(first)
    const error = await engine.register(def({ a: { action: 'delay', params: { ms: 1 } } })).catch((e) => e)
    expect(error).toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [{ path: 'version', code: 'version_exists' }],
    })
    expect((await engine.getDefinition('wf'))!.tasks.a!.action).toBe('noop')
  })

  it('starts the highest version unless told otherwise, and lists every version', async () => {
    const { engine } = testEngine()
    for (const version of ['1.9.0', '1.10.0', '1.2.0'])
      await engine.register({ ...def({ a: { action: 'noop' } }), version })
    expect((await engine.start('wf')).version).toBe('1.10.0')
    expect((await engine.start('wf', {}, { version: '1.2.0' })).version).toBe('1.2.0')
    expect((await engine.listDefinitions()).map((d) => d.version).sort()).toEqual([
      '1.10.0',
      '1.2.0',
      '1.9.0',
    ])
    expect((await engine.getDefinition('wf', '1.9.0'))!.version).toBe('1.9.0')
  })

  it('records the schema a definition was migrated from', async () => {
    const { engine } = testEngine()
    const info = await engine.register({
      schemaVersion: '1.0',
      name: 'Linear one',
      steps: [{ type: 'noop', name: 'First' }],
    })
    expect(info).toMatchObject({ id: 'linear-one', schemaVersion: '2.0', migratedFrom: '1.0' })
  })

  it('refuses to delete a version a run uses, finished or not; deletes a version without runs', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    const run = await engine.start('wf')
    await expect(engine.deleteDefinition('wf')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await expect(engine.deleteDefinition('wf', '9.9.9')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await engine.idle()
    slow.calls[0]!.resolve('done')
    await engine.wait(run.runId)
    await expect(engine.deleteDefinition('wf')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await engine.register({ ...def({ a: { action: 'noop' } }), id: 'unused' })
    await engine.deleteDefinition('unused')
    expect(await engine.getDefinition('unused')).toBeUndefined()
    await expect(engine.start('unused')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(engine.deleteDefinition('unused')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
