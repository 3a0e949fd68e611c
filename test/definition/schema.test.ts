import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { checkSchema } from '../../src/definition/schema'
import { ACTIONS, definition } from './definitions'

function codes(doc: unknown) {
  return checkSchema(doc).map((i) => [i.path, i.code])
}

describe('checkSchema', () => {
  it('accepts a complete 2.0 definition', () => {
    expect(
      checkSchema(
        definition(
          {
            a: {
              action: 'noop',
              name: 'A',
              description: 'd',
              params: { x: 1 },
              dependsOn: [],
              when: 'true',
              forEach: '[1]',
              concurrency: 2,
              retry: { maxAttempts: 100, initialDelayMs: 0, backoff: 1, maxDelayMs: 0, jitter: 1 },
              timeoutMs: 1,
              onError: 'continue',
              compensate: { action: 'noop', params: {} },
              cache: { ttlMs: 1, key: 'input.x' },
              expectedDurationMs: 5,
              trigger: 'none-failed',
            },
          },
          {
            name: 'n',
            description: 'd',
            params: { p: { type: 'string', required: true, default: 'x', description: 'd', enum: ['x'] } },
            defaults: { timeoutMs: 5, retry: { maxAttempts: 1 }, onError: 'skip' },
            concurrency: 1,
            expectedDurationMs: 1,
            output: 'true',
          },
        ),
      ),
    ).toEqual([])
  })

  it('reports missing required fields', () => {
    expect(codes({ schemaVersion: '2.0', tasks: { a: {} } })).toEqual([
      ['id', 'required'],
      ['version', 'required'],
      ['tasks.a.action', 'required'],
    ])
    expect(checkSchema({ schemaVersion: '2.0', id: 'a', version: '1.0.0' })[0]).toMatchObject({
      path: 'tasks',
      code: 'required',
      message: 'A workflow definition needs the field "tasks".',
    })
  })

  it('reports unknown fields, naming the allowed ones', () => {
    const issues = checkSchema(
      definition({ a: { action: 'noop', depends_on: ['b'], retry: { attempts: 2 } } }, { owner: 'me' }),
    )
    expect(issues.map((i) => [i.path, i.code]).sort()).toEqual([
      ['owner', 'unknown_field'],
      ['tasks.a.depends_on', 'unknown_field'],
      ['tasks.a.retry.attempts', 'unknown_field'],
    ])
    expect(issues.find((i) => i.path === 'tasks.a.depends_on')!.message).toMatch(
      /Unknown field "depends_on" in a task; did you mean "dependsOn"\? Allowed fields: action, name, .*dependsOn/,
    )
  })

  it('reports wrong types with exact paths', () => {
    expect(
      codes(
        definition({
          a: { action: 5, dependsOn: ['b', 7], params: [], when: true, compensate: 'undo', retry: 3 },
          b: 'task',
        }),
      ),
    ).toEqual([
      ['tasks.a.action', 'invalid_type'],
      ['tasks.a.params', 'invalid_type'],
      ['tasks.a.dependsOn[1]', 'invalid_type'],
      ['tasks.a.when', 'invalid_type'],
      ['tasks.a.retry', 'invalid_type'],
      ['tasks.a.compensate', 'invalid_type'],
      ['tasks.b', 'invalid_type'],
    ])
    expect(codes({ schemaVersion: '2.0', id: 1, version: '1.0.0', tasks: [] })).toEqual([
      ['id', 'invalid_type'],
      ['tasks', 'invalid_type'],
    ])
  })

  it('reports numbers out of range, one issue per field', () => {
    const issues = checkSchema(
      definition(
        {
          a: {
            action: 'noop',
            concurrency: 0,
            timeoutMs: 0,
            expectedDurationMs: -1,
            retry: { maxAttempts: 0.5, initialDelayMs: -1, backoff: 0.5, maxDelayMs: -5, jitter: 1.5 },
            cache: { ttlMs: 0 },
          },
          b: { action: 'noop', concurrency: 1.5, retry: { maxAttempts: 101 } },
        },
        { concurrency: -2, expectedDurationMs: 0, defaults: { timeoutMs: -1 } },
      ),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['defaults.timeoutMs', 'out_of_range'],
      ['concurrency', 'out_of_range'],
      ['expectedDurationMs', 'out_of_range'],
      ['tasks.a.concurrency', 'out_of_range'],
      ['tasks.a.retry.maxAttempts', 'not_integer'],
      ['tasks.a.retry.initialDelayMs', 'out_of_range'],
      ['tasks.a.retry.backoff', 'out_of_range'],
      ['tasks.a.retry.maxDelayMs', 'out_of_range'],
      ['tasks.a.retry.jitter', 'out_of_range'],
      ['tasks.a.timeoutMs', 'out_of_range'],
      ['tasks.a.cache.ttlMs', 'out_of_range'],
      ['tasks.a.expectedDurationMs', 'out_of_range'],
      ['tasks.b.concurrency', 'not_integer'],
      ['tasks.b.retry.maxAttempts', 'out_of_range'],
    ])
    expect(issues.find((i) => i.path === 'tasks.a.retry.jitter')!.message).toBe(
      'retry.jitter is a fraction from 0 to 1.',
    )
  })

  it('reports an unknown trigger rule by path, with the rule it likely means', () => {
    const issues = checkSchema(
      definition({
        a: { action: 'noop' },
        b: { action: 'noop', dependsOn: ['a'], trigger: 'all_success' as never },
        c: { action: 'noop', dependsOn: ['a'], trigger: 'whenever' as never },
        d: { action: 'noop', dependsOn: ['a'], trigger: 'none_failed_min_one_success' as never },
      }),
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tasks.b.trigger', 'invalid_value'],
      ['tasks.c.trigger', 'invalid_value'],
      ['tasks.d.trigger', 'invalid_value'],
    ])
    expect(issues[0]!.message).toContain('did you mean "all-success"?')
    expect(issues[1]!.message).not.toContain('did you mean')
    expect(issues[1]!.message).toContain('all-success, none-failed, all-done, one-success')
    expect(issues[2]!.message).toContain('did you mean "none-failed"?')
  })

  it('reports a bad onError and an empty action as invalid values', () => {
    expect(codes(definition({ a: { action: '', onError: 'ignore' } }))).toEqual([
      ['tasks.a.action', 'invalid_value'],
      ['tasks.a.onError', 'invalid_value'],
    ])
  })

  it('lists shape and meaning problems together from loadDefinition', () => {
    const result = loadDefinition(
      definition({ a: { action: 'nope', retry: { jitter: 2 } } }, { id: 'Bad Id' }),
      {
        actions: ACTIONS,
      },
    )
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues.map((i) => [i.path, i.code])).toEqual([
        ['tasks.a.retry.jitter', 'out_of_range'],
        ['id', 'invalid_id'],
        ['tasks.a.action', 'unknown_action'],
      ])
    }
  })
})
