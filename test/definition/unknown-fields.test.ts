import { describe, expect, it } from 'vitest'
import { checkSchema } from '../../src/definition/schema'

const definition = (tasks: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  schemaVersion: '2.0',
  id: 'a',
  version: '1.0.0',
  tasks,
  ...extra,
})

describe('unknown fields', () => {
  it('lists every unknown field of an object, not only the first', () => {
    const issues = checkSchema(
      definition({ a: { action: 'work', parameters: {}, depends_on: [], handler: 'x', timeout: 5 } }),
    )
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'tasks.a.depends_on',
      'tasks.a.handler',
      'tasks.a.parameters',
      'tasks.a.timeout',
    ])
  })

  it.each([
    ['tasks.a.parameters', { a: { action: 'w', parameters: {} } }, '"params"'],
    ['tasks.a.depends_on', { a: { action: 'w', depends_on: [] } }, '"dependsOn"'],
    ['tasks.a.handler', { a: { action: 'w', handler: 'x' } }, '"action"'],
    ['tasks.a.timeout', { a: { action: 'w', timeout: 5 } }, '"timeoutMs" (in ms)'],
    ['tasks.a.retry.max_attempts', { a: { action: 'w', retry: { max_attempts: 2 } } }, '"maxAttempts"'],
    ['tasks.a.dependOn', { a: { action: 'w', dependOn: [] } }, '"dependsOn"'],
    ['tasks.a.on_error', { a: { action: 'w', on_error: 'skip' } }, '"onError"'],
    ['tasks.a.cache.ttl', { a: { action: 'w', cache: { ttlMs: 1, ttl: 1 } } }, '"ttlMs" (in ms)'],
  ])('%s: did you mean %s', (path, tasks, guess) => {
    const issue = checkSchema(definition(tasks)).find((i) => i.path === path)
    expect(issue).toMatchObject({ code: 'unknown_field' })
    expect(issue!.message).toContain(`did you mean ${guess}?`)
  })

  it('guesses at the top level and in parameter specs, and says nothing when nothing is close', () => {
    const issues = checkSchema(
      definition(
        { a: { action: 'w' } },
        { parameters: {}, params: { p: { type: 'string', optional: true } }, zzzzz: 1 },
      ),
    )
    const message = (path: string) => issues.find((issue) => issue.path === path)!.message
    expect(message('parameters')).toContain('did you mean "params"?')
    expect(message('params.p.optional')).toContain('did you mean "required" (false)?')
    expect(message('zzzzz')).not.toContain('did you mean')
  })

  it('accepts a "$schema" line for editors', () => {
    expect(
      checkSchema(definition({ a: { action: 'w' } }, { $schema: 'https://x.test/schema.json' })),
    ).toEqual([])
  })
})
