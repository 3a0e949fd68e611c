import { describe, expect, it } from 'vitest'
import { compileWorkflow } from '../../src/definition/compile'
import { loadDefinition } from '../../src/definition/load'
import { DefinitionError } from '../../src/errors'
import { ACTIONS, definition, designExample, randomDag } from './definitions'

describe('loadDefinition', () => {
  it('loads the DESIGN.md example with its cache', () => {
    const result = loadDefinition(JSON.stringify(designExample()), { actions: ACTIONS })
    expect(result).toEqual({ ok: true, definition: designExample(), issues: [] })
  })

  it('refuses a cache scope it does not know, naming the ones it does', () => {
    const example = designExample()
    example.tasks.load.cache = { ttlMs: 5, scope: 'tab' as 'run' }
    const result = loadDefinition(example, { actions: ACTIONS })
    expect(result.ok).toBe(false)
    expect(result.issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['tasks.load.cache.scope', 'cache.scope is one of global, definition, run.'],
    ])
  })

  it('loads the DESIGN.md example without the cache, as a fresh copy', () => {
    const example = designExample()
    delete example.tasks.load.cache
    const result = loadDefinition(example, { actions: ACTIONS })
    expect(result).toEqual({ ok: true, definition: example, issues: [] })
    if (result.ok) expect(result.definition).not.toBe(example)
  })

  it('needs the actions the definition uses', () => {
    const example = designExample()
    delete example.tasks.load.cache
    const result = loadDefinition(example, { actions: new Set(['http', 'approval']) })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues.map((i) => i.path)).toEqual([
        'tasks.check.action',
        'tasks.lines.action',
        'tasks.load.action',
        'tasks.load.compensate.action',
      ])
    }
  })

  it('stops at parse problems and at migration problems', () => {
    expect(loadDefinition('{', { actions: ACTIONS })).toMatchObject({
      ok: false,
      issues: [{ code: 'not_json' }],
    })
    expect(loadDefinition({ schemaVersion: '9' }, { actions: ACTIONS })).toMatchObject({
      ok: false,
      issues: [{ path: 'schemaVersion', code: 'unknown_schema_version' }],
    })
  })

  it('never throws, whatever the input', () => {
    const inputs: unknown[] = [
      undefined,
      null,
      0,
      '',
      '[]',
      [],
      { tasks: 5 },
      { schemaVersion: '2.0', tasks: { a: null } },
    ]
    inputs.push({
      schemaVersion: '2.0',
      id: 'a',
      version: '1.0.0',
      params: [],
      defaults: 'x',
      tasks: { a: { action: 'noop', dependsOn: 'b', retry: [] } },
    })
    for (const input of inputs) expect(loadDefinition(input, { actions: ACTIONS }).ok).toBe(false)
  })

  it('caps the number of issues it lists', () => {
    const tasks: Record<string, unknown> = {}
    for (let i = 0; i < 1500; i++) tasks[`t${i}`] = { action: 'missing' }
    const result = loadDefinition(definition(tasks), { actions: ACTIONS })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues).toHaveLength(1001)
      expect(result.issues.at(-1)).toMatchObject({
        code: 'too_many_issues',
        message: expect.stringMatching(/^500 more/),
      })
      expect(() => {
        throw new DefinitionError(result.issues)
      }).toThrow(/and 996 more/)
    }
  })

  it('validates and compiles a 10,000-task random DAG', () => {
    const dag = randomDag(10_000)
    const result = loadDefinition(JSON.stringify(dag), { actions: ACTIONS })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const workflow = compileWorkflow(result.definition)
    expect(workflow.tasks.size).toBe(10_000)
    expect(workflow.order).toHaveLength(10_000)
    const position = new Map(workflow.order.map((id, i) => [id, i]))
    for (const task of workflow.tasks.values()) {
      for (const dep of task.dependsOn) expect(position.get(dep)!).toBeLessThan(position.get(task.id)!)
    }
    expect(workflow.roots).toContain('t0')
  })

  it('rejects 20,000 tasks cleanly', () => {
    const result = loadDefinition(randomDag(20_000), { actions: ACTIONS })
    expect(result).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'tasks', code: 'too_large' })],
    })
  })
})
