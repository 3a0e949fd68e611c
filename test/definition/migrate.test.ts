import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { migrateDefinition } from '../../src/definition/migrate'
import { ACTIONS } from './definitions'

function migrated(doc: Record<string, unknown>) {
  const result = migrateDefinition(doc)
  if (!result.ok) throw new Error(JSON.stringify(result.issues))
  return result
}

function issuesOf(doc: Record<string, unknown>) {
  const result = migrateDefinition(doc)
  if (result.ok) throw new Error('expected issues')
  return result.issues
}

describe('migrateDefinition: 2.0', () => {
  it('returns a 2.0 definition unchanged', () => {
    const doc = { schemaVersion: '2.0', id: 'a', version: '1.0.0', tasks: {} }
    expect(migrateDefinition(doc)).toEqual({ ok: true, definition: doc })
  })

  it('takes a 2.0-shaped definition without schemaVersion as 2.0', () => {
    const result = migrated({ id: 'a', version: '1.0.0', tasks: { x: { action: 'noop' } } })
    expect(result.migratedFrom).toBeUndefined()
    expect(result.definition.schemaVersion).toBe('2.0')
  })

  it('reports an unknown schemaVersion', () => {
    for (const version of ['3.0', '0.9', 2, null]) {
      expect(issuesOf({ schemaVersion: version, tasks: {} })).toEqual([
        expect.objectContaining({ path: 'schemaVersion', code: 'unknown_schema_version' }),
      ])
    }
  })

  it('asks for steps or tasks in a declared 1.0 definition with neither', () => {
    expect(issuesOf({ schemaVersion: '1.0', name: 'x' })).toEqual([
      expect.objectContaining({ path: 'steps', code: 'required' }),
    ])
  })
})

describe('migrateDefinition: 1.0 linear steps', () => {
  it('chains steps in order and maps type, config and name', () => {
    const result = migrated({
      schemaVersion: '1.0',
      name: 'Order Import',
      description: 'old one',
      steps: [
        { type: 'http', name: 'Fetch order', config: { url: 'https://x.test' } },
        { type: 'validate-order', name: 'Check' },
        { type: 'store-order', name: 'Store!' },
      ],
    })
    expect(result.migratedFrom).toBe('1.0')
    expect(result.definition).toEqual({
      schemaVersion: '2.0',
      id: 'order-import',
      version: '1.0.0',
      name: 'Order Import',
      description: 'old one',
      tasks: {
        fetch_order: { action: 'http', name: 'Fetch order', params: { url: 'https://x.test' } },
        check: { action: 'validate-order', name: 'Check', dependsOn: ['fetch_order'], trigger: 'all-done' },
        store: { action: 'store-order', name: 'Store!', dependsOn: ['check'], trigger: 'all-done' },
      },
    })
  })

  it('runs consecutive steps of a parallel_group side by side', () => {
    const { definition } = migrated({
      name: 'fan',
      steps: [
        { type: 'noop', name: 'start' },
        { type: 'http', name: 'a', parallel_group: 'g1' },
        { type: 'http', name: 'b', parallel_group: 'g1' },
        { type: 'http', name: 'c', parallel_group: 'g1' },
        { type: 'noop', name: 'join' },
        { type: 'http', name: 'd', parallel_group: 2 },
        { type: 'http', name: 'e', parallel_group: 2 },
        { type: 'http', name: 'f', parallel_group: 'g1' },
        { type: 'noop', name: 'end', parallel_group: null },
      ],
    })
    const deps = Object.fromEntries(
      Object.entries(definition.tasks as Record<string, { dependsOn?: string[] }>).map(([id, t]) => [
        id,
        t.dependsOn ?? [],
      ]),
    )
    expect(deps).toEqual({
      start: [],
      a: ['start'],
      b: ['start'],
      c: ['start'],
      join: ['a', 'b', 'c'],
      d: ['join'],
      e: ['join'],
      f: ['d', 'e'],
      end: ['f'],
    })
  })

  it('makes task ids unique and usable in CEL', () => {
    const { definition } = migrated({
      name: 'dupes',
      steps: [
        { type: 'noop', name: 'Send mail' },
        { type: 'noop', name: 'send-mail' },
        { type: 'noop', name: '2nd step' },
        { type: 'noop', name: '!!!' },
        { type: 'transform' },
      ],
    })
    expect(Object.keys(definition.tasks as object)).toEqual([
      'send_mail',
      'send_mail_2',
      'step_2nd_step',
      'step',
      'transform',
    ])
  })

  it('keeps an explicit id and version, and completes a short version', () => {
    expect(
      migrated({ id: 'keep', version: '2.1.0', steps: [{ type: 'noop', name: 'a' }] }).definition,
    ).toMatchObject({
      id: 'keep',
      version: '2.1.0',
    })
    expect(migrated({ name: 'v', version: 2, steps: [{ type: 'noop', name: 'a' }] }).definition.version).toBe(
      '2.0.0',
    )
    expect(
      migrated({ name: 'v', version: '1.1', steps: [{ type: 'noop', name: 'a' }] }).definition.version,
    ).toBe('1.1.0')
  })

  it('reports malformed steps by their original path', () => {
    const issues = issuesOf({
      name: 'bad',
      steps: [{ name: 'no type' }, 42, { type: 'noop', config: [1] }, { type: 'noop', parallel_group: {} }],
    })
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['steps[0].type', 'required'],
      ['steps[1]', 'invalid_type'],
      ['steps[2].config', 'invalid_type'],
      ['steps[3].parallel_group', 'invalid_type'],
    ])
  })

  it('needs a name or id to derive the workflow id', () => {
    expect(issuesOf({ steps: [{ type: 'noop', name: 'a' }] })).toEqual([
      expect.objectContaining({ path: 'name', code: 'required' }),
    ])
    expect(issuesOf({ name: '???', steps: [] })).toEqual([
      expect.objectContaining({ path: 'name', code: 'required' }),
    ])
  })

  it('loads a migrated definition end to end and says it was migrated', () => {
    const loaded = loadDefinition(
      JSON.stringify({
        name: 'Import',
        steps: [
          { type: 'http', name: 'Fetch', config: { url: '${ input.url }' } },
          { type: 'noop', name: 'Done' },
        ],
      }),
      { actions: ACTIONS },
    )
    expect(loaded).toMatchObject({
      ok: true,
      migratedFrom: '1.0',
      definition: { id: 'import', schemaVersion: '2.0' },
    })
  })

  it('reports problems in the migrated definition where the user wrote them', () => {
    const loaded = loadDefinition(
      { name: 'Import', steps: [{ type: 'nope', name: 'x' }] },
      { actions: ACTIONS },
    )
    expect(loaded.ok).toBe(false)
    if (loaded.ok) return
    expect(loaded.issues).toEqual([
      expect.objectContaining({
        path: 'steps[0].type',
        code: 'unknown_action',
        message: expect.stringMatching(/Unknown action "nope"/),
      }),
    ])
  })
})

describe('migrateDefinition: 1.0 task map', () => {
  const old = {
    name: 'Research team',
    execution_mode: 'sequential',
    tasks: {
      research: {
        agent_id: 'researcher',
        action: 'agent_task',
        params: { topic: '${ input.topic }' },
        retry_count: 2,
        timeout_seconds: 30,
      },
      'write draft': {
        agent_id: 'writer',
        conditions: 'tasks.research.status == "completed"',
        config: { words: 500 },
      },
      review: { agent_id: 'editor', depends_on: ['research'], conditions: ['input.review', 'input.strict'] },
    },
  }

  it('maps agent tasks to 2.0 and chains sequential tasks in key order', () => {
    const result = migrated(old)
    expect(result.migratedFrom).toBe('1.0')
    expect(result.definition).toEqual({
      schemaVersion: '2.0',
      id: 'research-team',
      version: '1.0.0',
      name: 'Research team',
      tasks: {
        research: {
          action: 'agent_task',
          params: { topic: '${ input.topic }', agent: 'researcher' },
          retry: { maxAttempts: 3 },
          timeoutMs: 30000,
        },
        write_draft: {
          action: 'agent_task',
          name: 'write draft',
          params: { words: 500, agent: 'writer' },
          dependsOn: ['research'],
          trigger: 'all-done',
          when: 'tasks.research.status == "completed"',
        },
        review: {
          action: 'agent_task',
          params: { agent: 'editor' },
          dependsOn: ['write_draft', 'research'],
          trigger: 'all-done',
          when: '(input.review) && (input.strict)',
        },
      },
    })
  })

  it('uses only the listed dependencies in parallel mode, renaming keys', () => {
    const { definition } = migrated({ ...old, execution_mode: 'parallel' })
    const tasks = definition.tasks as Record<string, { dependsOn?: string[] }>
    expect(tasks.research!.dependsOn).toBeUndefined()
    expect(tasks.write_draft!.dependsOn).toBeUndefined()
    expect(tasks.review!.dependsOn).toEqual(['research'])
    const renamed = migrated({
      name: 'r',
      tasks: { 'a b': { agent_id: 'x' }, c: { agent_id: 'y', dependencies: ['a b'] } },
    })
    expect((renamed.definition.tasks as Record<string, { dependsOn?: string[] }>).c!.dependsOn).toEqual([
      'a_b',
    ])
  })

  it('is recognised by its markers without a schemaVersion, and with one', () => {
    expect(migrated({ name: 'm', tasks: { a: { action: 'agent_task' } } }).migratedFrom).toBe('1.0')
    expect(migrated({ name: 'm', tasks: { a: { action: 'noop', retry_count: 1 } } }).migratedFrom).toBe('1.0')
    expect(migrated({ schemaVersion: '1.0', name: 'm', tasks: { a: { action: 'noop' } } }).migratedFrom).toBe(
      '1.0',
    )
  })

  it('reports what cannot be migrated', () => {
    const issues = issuesOf({
      name: 'bad',
      execution_mode: 'random',
      tasks: {
        a: { agent_id: 'x', conditions: { field: 'x', op: 'eq' }, retry_count: -1, timeout_seconds: 'soon' },
        b: { agent_id: 5, depends_on: [1] },
      },
    })
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['execution_mode', 'invalid_value'],
      ['tasks.a.conditions', 'cannot_migrate'],
      ['tasks.a.retry_count', 'invalid_value'],
      ['tasks.a.timeout_seconds', 'invalid_value'],
      ['tasks.b.agent_id', 'invalid_type'],
      ['tasks.b.depends_on', 'invalid_type'],
    ])
  })

  it('loads when agent_task is a registered action', () => {
    const loaded = loadDefinition(old, { actions: new Set([...ACTIONS, 'agent_task']) })
    expect(loaded).toMatchObject({ ok: true, migratedFrom: '1.0' })
    const unregistered = loadDefinition(old, { actions: ACTIONS })
    expect(unregistered.ok).toBe(false)
  })
})
