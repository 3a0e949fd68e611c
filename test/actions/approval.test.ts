import { describe, expect, it } from 'vitest'
import { approvalWaitOf } from '../../src/actions/approval'
import { formProblems, formSchemaProblem } from '../../src/actions/approval-form'

describe('approval params', () => {
  it('fill in the defaults: quorum 1, escalate but on the last level, reject there; the first deadline from now', () => {
    const wait = approvalWaitOf(
      {
        title: 't',
        levels: [
          { approvers: ['a', 'a'], timeoutMs: 50 },
          { groups: ['g'], timeoutMs: 70 },
        ],
      },
      1000,
    )
    expect(wait).toEqual({
      kind: 'approval',
      title: 't',
      levels: [
        { approvers: ['a'], groups: [], quorum: 1, timeoutMs: 50, onTimeout: 'escalate' },
        { approvers: [], groups: ['g'], quorum: 1, timeoutMs: 70, onTimeout: 'reject' },
      ],
      selfApproval: false,
      level: 0,
      votes: [],
      until: 1050,
    })
  })

  it.each([
    [{ levels: [{ approvers: ['a'] }] }, 'params.title'],
    [{ title: 't' }, 'params.levels'],
    [{ title: 't', levels: [{ approvers: ['a'] }], extra: 1 }, 'unknown param "extra"'],
    [{ title: 't', levels: [{ approvers: ['a'], who: 'b' }] }, 'unknown field "who"'],
    [{ title: 't', levels: [{ approvers: [''] }] }, 'params.levels[0].approvers'],
    [{ title: 't', levels: [{ groups: ['g'], quorum: 0 }] }, 'quorum must be a whole number'],
    [{ title: 't', levels: [{ approvers: ['a'], quorum: 2 }] }, 'more than its 1 approvers'],
    [{ title: 't', levels: [{ approvers: ['a'], onTimeout: 'escalate' }] }, 'the last level'],
    [{ title: 't', description: 5, levels: [{ approvers: ['a'] }] }, 'params.description'],
    [{ title: 't', form: { type: 'date' }, levels: [{ approvers: ['a'] }] }, 'params.form.type'],
  ])('refuses %j naming %s (INPUT_INVALID)', (params, named) => {
    expect(() => approvalWaitOf(params as Record<string, unknown>, 0)).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringContaining(named) }),
    )
  })
})

describe('the form schema subset', () => {
  const schema = {
    type: 'object',
    required: ['amount', 'reason'],
    properties: {
      amount: { type: 'number', minimum: 0, maximum: 100 },
      reason: { type: 'string', minLength: 2, maxLength: 10, pattern: '^[a-z ]+$' },
      kind: { enum: ['refund', 'credit'] },
      tags: { type: 'array', items: { type: 'string' } },
      count: { type: 'integer' },
      none: { type: 'null' },
      ok: { type: 'boolean', title: 'OK?', description: 'annotations are kept' },
    },
  }

  it('takes its keywords and refuses any other, by path', () => {
    expect(formSchemaProblem(schema)).toBeUndefined()
    expect(formSchemaProblem({ type: 'object', oneOf: [] })).toContain('form.oneOf is not a keyword')
    expect(formSchemaProblem({ properties: { a: { minLength: -1 } } })).toContain(
      'form.properties.a.minLength',
    )
    expect(formSchemaProblem({ pattern: '(' })).toContain('form.pattern is not a valid regular expression')
    expect(formSchemaProblem({ items: { type: 'thing' } })).toContain('form.items.type')
    expect(formSchemaProblem({ enum: [] })).toContain('form.enum')
    expect(formSchemaProblem('object')).toContain('form must be a JSON Schema object')
  })

  it('finds every way a form fails, by path', () => {
    expect(
      formProblems(schema, { amount: 5, reason: 'ok', kind: 'refund', tags: ['a'], count: 2, none: null }),
    ).toEqual([])
    const issues = formProblems(schema, {
      amount: 101,
      reason: 'No!',
      kind: 'gift',
      tags: ['a', 1],
      count: 1.5,
      none: 0,
      ok: 'yes',
    })
    expect(issues.map((i) => i.path)).toEqual([
      'form.amount',
      'form.reason',
      'form.kind',
      'form.tags[1]',
      'form.count',
      'form.none',
      'form.ok',
    ])
    expect(formProblems(schema, {}).map((i) => i.message)).toEqual(['is required', 'is required'])
    expect(formProblems(schema, [1])).toEqual([
      { path: 'form', code: 'form_invalid', message: 'must be of type object, got [1]' },
    ])
  })
})
