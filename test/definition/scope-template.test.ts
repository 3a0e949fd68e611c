import { describe, expect, it } from 'vitest'
import { compileScopeTemplate } from '../../src/definition/scope-template'
import { ExpressionError } from '../../src/errors'

describe('compileScopeTemplate', () => {
  it('resolves exact templates to values and interpolated ones to text, nested too', () => {
    const problems: string[] = []
    const input = compileScopeTemplate(
      'schedule',
      {
        at: '${ schedule.scheduledAt }',
        label: 'run of ${ schedule.id } (${ schedule.lateMs } ms late)',
        nested: { list: ['${ schedule.lateMs > 1000 }', 3] },
        plain: 'text',
      },
      problems,
    )
    expect(problems).toEqual([])
    expect(input({ id: 'nightly', scheduledAt: 1_767_225_600_000, lateMs: 1500 })).toEqual({
      at: 1_767_225_600_000,
      label: 'run of nightly (1500 ms late)',
      nested: { list: [true, 3] },
      plain: 'text',
    })
  })

  it('lists every bad template with its path, and knows no variable but its own', () => {
    const problems: string[] = []
    compileScopeTemplate(
      'schedule',
      { a: '${ event.data }', b: { c: '${ schedule. }' }, d: '${ x' },
      problems,
    )
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/^input\.a: "event\.data"/)
    expect(problems[1]).toMatch(/^input\.b\.c: /)
    expect(problems[2]).toMatch(/^input\.d: .*never closed/)
  })

  it('throws EXPRESSION_FAILED when an expression fails on the value', () => {
    const problems: string[] = []
    const input = compileScopeTemplate('schedule', { x: '${ schedule.missing.deeper }' }, problems)
    expect(problems).toEqual([])
    expect(() => input({ id: 's' })).toThrow(ExpressionError)
  })
})
