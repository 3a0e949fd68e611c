import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { ACTIONS, definition } from './definitions'

function issuesOf(doc: unknown, actions: ReadonlySet<string> = ACTIONS) {
  const result = loadDefinition(doc, { actions })
  if (result.ok) throw new Error('expected issues')
  return result.issues
}

function codes(doc: unknown, actions?: ReadonlySet<string>) {
  return issuesOf(doc, actions).map((i) => [i.path, i.code])
}

describe('semantic checks', () => {
  it('checks the workflow id, task ids and version', () => {
    expect(
      codes(
        definition(
          { 'a.b': { action: 'noop' }, '1x': { action: 'noop' }, ok_1: { action: 'noop' } },
          { id: 'Orders', version: '1.0' },
        ),
      ),
    ).toEqual([
      ['id', 'invalid_id'],
      ['version', 'invalid_version'],
      ['tasks["a.b"]', 'invalid_id'],
      ['tasks["1x"]', 'invalid_id'],
    ])
    expect(
      loadDefinition(
        definition(
          { _a: { action: 'noop' }, 'b-c': { action: 'noop' } },
          { id: 'a.b_c-1', version: '1.0.0-rc.1+b5' },
        ),
        { actions: ACTIONS },
      ).ok,
    ).toBe(true)
  })

  it('requires at least one task', () => {
    expect(codes(definition({}))).toEqual([['tasks', 'no_tasks']])
  })

  it('reports unknown actions, listing the known ones when few', () => {
    const issues = issuesOf(
      definition({ a: { action: 'htp', compensate: { action: 'undo' } } }),
      new Set(['http', 'noop']),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tasks.a.action', 'unknown_action'],
      ['tasks.a.compensate.action', 'unknown_action'],
    ])
    expect(issues[0]!.message).toMatch(/Unknown action "htp".*Known actions: http, noop\./)
  })

  it('reports unknown, duplicate and self dependencies with their index', () => {
    const issues = issuesOf(
      definition({
        fetch: { action: 'noop' },
        b: { action: 'noop', dependsOn: ['fetch', 'fecth', 'fetch', 'b', 'zzz'] },
      }),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tasks.b.dependsOn[1]', 'unknown_dependency'],
      ['tasks.b.dependsOn[2]', 'duplicate_dependency'],
      ['tasks.b.dependsOn[3]', 'self_dependency'],
      ['tasks.b.dependsOn[4]', 'unknown_dependency'],
    ])
    expect(issues[0]!.message).toMatch(/did you mean "fetch"\?/)
    expect(issues[3]!.message).toMatch(/the tasks are: fetch, b/)
  })

  it('names each cycle once, in order', () => {
    const issues = issuesOf(
      definition({
        a: { action: 'noop', dependsOn: ['c'] },
        b: { action: 'noop', dependsOn: ['a'] },
        c: { action: 'noop', dependsOn: ['b'] },
        x: { action: 'noop', dependsOn: ['y'] },
        y: { action: 'noop', dependsOn: ['x'] },
        ok: { action: 'noop', dependsOn: ['a'] },
      }),
    )
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'tasks.a.dependsOn',
        code: 'cycle',
        message: expect.stringContaining('a → c → b → a'),
      }),
      expect.objectContaining({
        path: 'tasks.x.dependsOn',
        code: 'cycle',
        message: expect.stringContaining('x → y → x'),
      }),
    ])
  })

  it('names a shortest cycle and the other tasks caught in the same loop', () => {
    const issues = issuesOf(
      definition({
        a: { action: 'noop', dependsOn: ['b'] },
        b: { action: 'noop', dependsOn: ['a', 'c'] },
        c: { action: 'noop', dependsOn: ['b'] },
      }),
    )
    expect(issues).toHaveLength(1)
    expect(issues[0]!.message).toMatch(/a → b → a .*Tasks c are caught in the same loop/)
  })

  it('finds a cycle across a 10,000-task chain without recursion', () => {
    const tasks: Record<string, unknown> = {}
    for (let i = 0; i < 10_000; i++) tasks[`t${i}`] = { action: 'noop', dependsOn: [`t${(i + 1) % 10_000}`] }
    const issues = issuesOf(definition(tasks))
    expect(issues).toHaveLength(1)
    expect(issues[0]!.code).toBe('cycle')
    expect(issues[0]!.message).toMatch(/^Dependency cycle: t0 → t1 → t2 → .* → t9999 → t0/)
  })

  it('checks maxDelayMs against initialDelayMs', () => {
    expect(
      codes(
        definition(
          { a: { action: 'noop', retry: { initialDelayMs: 5000, maxDelayMs: 1000 } } },
          { defaults: { retry: { initialDelayMs: 10, maxDelayMs: 1 } } },
        ),
      ),
    ).toEqual([
      ['defaults.retry.maxDelayMs', 'out_of_range'],
      ['tasks.a.retry.maxDelayMs', 'out_of_range'],
    ])
  })

  it('checks parameter specs: type names and defaults', () => {
    const issues = issuesOf(
      definition(
        { a: { action: 'noop' } },
        {
          params: {
            a: { type: 'text' },
            b: { type: 'integer', default: 1.5 },
            c: { type: 'string', default: 'z', enum: ['x', 'y'] },
            d: { type: 'array', default: [] },
            e: { type: 'any', default: null },
          },
        },
      ),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['params.a.type', 'unknown_param_type'],
      ['params.b.default', 'invalid_default'],
      ['params.c.default', 'invalid_default'],
    ])
    expect(issues[0]!.message).toMatch(/use one of string, number, integer, boolean, object, array, any/)
  })

  it('reports an expression syntax error with its position and code', () => {
    const issues = issuesOf(
      definition(
        {
          a: { action: 'noop', when: 'input.a >', params: { url: 'x/${ input.a + }', ok: '${ input.b }' } },
          b: { action: 'noop', forEach: '[1, 2', dependsOn: ['a'] },
        },
        { output: '(' },
      ),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tasks.a.when', 'expression_syntax'],
      ['tasks.a.params.url', 'expression_syntax'],
      ['tasks.b.forEach', 'expression_syntax'],
      ['output', 'expression_syntax'],
    ])
    expect(issues[0]!.message).toBe('Syntax error at column 10 in "input.a >": Unexpected token: EOF')
    expect(issues[1]!.message).toMatch(/^Syntax error at column 15 in "x\/\$\{ input.a \+ }"/)
  })

  it('checks expressions in compensate params and cache keys', () => {
    expect(
      codes(
        definition({
          a: {
            action: 'noop',
            compensate: { action: 'noop', params: { id: '${ nope }' } },
            cache: { ttlMs: 5, key: '1 +' },
          },
        }),
      ),
    ).toEqual([
      ['tasks.a.compensate.params.id', 'unknown_variable'],
      ['tasks.a.cache.key', 'expression_syntax'],
    ])
  })

  it('allows item and index only in the params of a forEach task', () => {
    expect(
      codes(
        definition({
          a: {
            action: 'noop',
            when: 'item > 1',
            params: { x: '${ item }' },
            compensate: { action: 'noop', params: { i: '${ index }' } },
          },
          b: { action: 'noop', forEach: '[1, 2]', params: { x: '${ item * 2 }', i: 'n${ index }' } },
        }),
      ),
    ).toEqual([
      ['tasks.a.when', 'item_outside_foreach'],
      ['tasks.a.params.x', 'item_outside_foreach'],
      ['tasks.a.compensate.params.i', 'item_outside_foreach'],
    ])
  })

  it('reports unknown variables, dynamic task access, and wrong result types', () => {
    expect(
      codes(
        definition({
          a: { action: 'noop', when: 'env.debug', params: { t: '${ tasks[input.k].output }' } },
          b: { action: 'noop', when: '1 + 2', forEach: '"text"' },
        }),
      ),
    ).toEqual([
      ['tasks.a.when', 'unknown_variable'],
      ['tasks.a.params.t', 'dynamic_task_ref'],
      ['tasks.b.when', 'expression_type'],
      ['tasks.b.forEach', 'expression_type'],
    ])
  })

  it('reports reads of task fields other than output and status, and overlong expressions', () => {
    expect(
      codes(
        definition({
          a: { action: 'noop' },
          b: {
            action: 'noop',
            dependsOn: ['a'],
            when: 'tasks.a.result == 1',
            params: { long: `\${ 1${' + 1'.repeat(3000)} }` },
          },
        }),
      ),
    ).toEqual([
      ['tasks.b.when', 'unknown_task_field'],
      ['tasks.b.params.long', 'expression_too_long'],
    ])
  })

  it('requires referenced tasks to exist and to be upstream', () => {
    const issues = issuesOf(
      definition(
        {
          a: { action: 'noop' },
          b: { action: 'noop', dependsOn: ['a'] },
          c: {
            action: 'noop',
            dependsOn: ['b'],
            when: 'tasks.a.status == "completed"',
            params: { v: '${ tasks.d.output }' },
          },
          d: { action: 'noop', params: { mine: '${ tasks.d.output }', ghost: '${ tasks.ghost.output }' } },
          e: {
            action: 'noop',
            dependsOn: ['a'],
            compensate: { action: 'noop', params: { self: '${ tasks.e.output }', c: '${ tasks.c.output }' } },
          },
        },
        { output: 'tasks.d.output + tasks.nobody.output' },
      ),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tasks.c.params.v', 'not_upstream'],
      ['tasks.d.params.mine', 'not_upstream'],
      ['tasks.d.params.ghost', 'unknown_task_ref'],
      ['tasks.e.compensate.params.c', 'not_upstream'],
      ['output', 'unknown_task_ref'],
    ])
    expect(issues[0]!.message).toMatch(/add "d" to the dependsOn of "c"/)
    expect(issues[1]!.message).toMatch(/reads its own tasks.d/)
  })

  it('accepts transitive upstream reads', () => {
    const doc = definition({
      a: { action: 'noop' },
      b: { action: 'noop', dependsOn: ['a'] },
      c: { action: 'noop', dependsOn: ['b'] },
      d: {
        action: 'noop',
        dependsOn: ['c'],
        when: 'tasks.a.output.ok',
        params: { x: '${ tasks["b"].output }' },
      },
    })
    expect(loadDefinition(doc, { actions: ACTIONS }).ok).toBe(true)
  })
})
