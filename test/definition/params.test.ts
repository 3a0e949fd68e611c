import { describe, expect, it } from 'vitest'
import { validateInput } from '../../src/definition/params'
import { InputError } from '../../src/errors'
import type { WorkflowDefinition } from '../../src/types'
import { definition, designExample } from './definitions'

const def = designExample() as WorkflowDefinition

function issuesOf(d: WorkflowDefinition, input: unknown) {
  const result = validateInput(d, input)
  if (result.ok) throw new Error('expected issues')
  return result.issues
}

describe('validateInput', () => {
  it('applies defaults and keeps given values', () => {
    expect(validateInput(def, { orderId: 'A-1' })).toEqual({
      ok: true,
      value: { orderId: 'A-1', priority: 1 },
    })
    expect(validateInput(def, { orderId: 'A-1', priority: 3 })).toEqual({
      ok: true,
      value: { orderId: 'A-1', priority: 3 },
    })
  })

  it('copies defaults so a run cannot change the definition', () => {
    const d = definition({}, { params: { tags: { type: 'array', default: ['a'] } } }) as WorkflowDefinition
    const result = validateInput(d, {})
    if (!result.ok) throw new Error('unreachable')
    ;(result.value.tags as string[]).push('b')
    expect(d.params!.tags!.default).toEqual(['a'])
  })

  it('reports missing, mistyped and unknown params together', () => {
    const issues = issuesOf(def, { priority: 'high', extra: 1 })
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['orderId', 'required'],
      ['priority', 'invalid_type'],
      ['extra', 'unknown_param'],
    ])
    expect(issues[0]!.message).toBe('"orderId" is required: pass a string as input.orderId.')
    expect(issues[1]!.message).toBe('"priority" must be a number; received "high".')
    expect(issues[2]!.message).toMatch(/its parameters are: orderId, priority/)
    expect(new InputError(issues).message).toMatch(/^Invalid run input: orderId: /)
  })

  it('checks every parameter type and enum', () => {
    const d = definition(
      {},
      {
        params: {
          s: { type: 'string' },
          n: { type: 'number' },
          i: { type: 'integer' },
          b: { type: 'boolean' },
          o: { type: 'object' },
          a: { type: 'array' },
          any: { type: 'any' },
          e: { type: 'string', enum: ['low', 'high'] },
        },
      },
    ) as WorkflowDefinition
    expect(validateInput(d, { s: 'x', n: 1.5, i: 2, b: false, o: {}, a: [], any: null, e: 'low' }).ok).toBe(
      true,
    )
    expect(
      issuesOf(d, { s: 1, n: 'x', i: 1.5, b: 'true', o: [], a: {}, e: 'mid' }).map((i) => [i.path, i.code]),
    ).toEqual([
      ['s', 'invalid_type'],
      ['n', 'invalid_type'],
      ['i', 'invalid_type'],
      ['b', 'invalid_type'],
      ['o', 'invalid_type'],
      ['a', 'invalid_type'],
      ['e', 'invalid_value'],
    ])
  })

  it('takes no input as an empty object and refuses a non-object', () => {
    expect(validateInput(def, undefined)).toMatchObject({
      ok: false,
      issues: [{ path: 'orderId', code: 'required' }],
    })
    expect(issuesOf(def, [1])).toEqual([expect.objectContaining({ path: '', code: 'invalid_type' })])
    expect(issuesOf(def, 'x')).toEqual([expect.objectContaining({ path: '', code: 'invalid_type' })])
  })

  it('accepts any object when the definition declares no params', () => {
    const d = definition({ a: { action: 'noop' } }) as WorkflowDefinition
    expect(validateInput(d, { anything: [1] })).toEqual({ ok: true, value: { anything: [1] } })
  })
})
