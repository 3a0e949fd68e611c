import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFINITION_LIMITS, parseDefinition } from '../../src/definition/parse'

function issuesOf(raw: unknown) {
  const result = parseDefinition(raw)
  if (result.ok) throw new Error('expected issues')
  return result.issues
}

describe('parseDefinition', () => {
  it('reads a JSON string and an object into an equal deep copy', () => {
    const doc = {
      id: 'a',
      tasks: { x: { action: 'noop', params: { list: [1, 'two', null, true, { n: 1.5 }] } } },
    }
    const fromString = parseDefinition(JSON.stringify(doc))
    const fromObject = parseDefinition(doc)
    expect(fromString).toEqual({ ok: true, value: doc })
    expect(fromObject).toEqual({ ok: true, value: doc })
    if (!fromObject.ok) throw new Error('unreachable')
    expect(fromObject.value).not.toBe(doc)
    expect(fromObject.value.tasks).not.toBe(doc.tasks)
  })

  it('accepts an object without a prototype', () => {
    const doc = Object.assign(Object.create(null), { id: 'a' })
    expect(parseDefinition(doc)).toEqual({ ok: true, value: { id: 'a' } })
  })

  it('reports invalid JSON as not_json with the parser message', () => {
    const [issue] = issuesOf('{"id": "a",')
    expect(issue).toMatchObject({ path: '', code: 'not_json' })
    expect(issue!.message).toMatch(/not valid JSON/)
  })

  it('rejects a top-level value that is not an object', () => {
    for (const raw of [null, 42, [], '[1,2]', '"text"', undefined, true]) {
      expect(issuesOf(raw)).toEqual([expect.objectContaining({ path: '', code: 'invalid_value' })])
    }
  })

  it('rejects __proto__ from JSON (an own key), constructor and prototype anywhere, with paths', () => {
    const issues = issuesOf(
      '{"__proto__": {"polluted": true}, "tasks": {"a": {"params": {"constructor": 1, "list": [{"prototype": 2}]}}}}',
    )
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['__proto__', 'forbidden_key'],
      ['tasks.a.params.constructor', 'forbidden_key'],
      ['tasks.a.params.list[0].prototype', 'forbidden_key'],
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('rejects an own __proto__ key on an object source', () => {
    const doc = JSON.parse('{"id": "a", "__proto__": {"x": 1}}')
    expect(issuesOf(doc)).toEqual([expect.objectContaining({ path: '__proto__', code: 'forbidden_key' })])
  })

  it('rejects values that are not JSON data', () => {
    class Step {
      action = 'noop'
    }
    const getter = {
      get action() {
        throw new Error('a getter must never run')
      },
    }
    const cases: [unknown, string][] = [
      [() => 1, 'f'],
      [Symbol('s'), 's'],
      [10n, 'b'],
      [Number.NaN, 'nan'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [new Date(0), 'date'],
      [new Map(), 'map'],
      [new Step(), 'instance'],
      [getter, 'getter'],
    ]
    for (const [value, key] of cases) {
      const issues = issuesOf({ id: 'a', [key]: value })
      expect(issues.length, key).toBe(1)
      expect(issues[0]!.code, key).toBe('invalid_value')
      expect(issues[0]!.path, key).toBe(key === 'getter' ? 'getter.action' : key)
    }
  })

  it('rejects undefined and holes inside arrays, drops undefined object values', () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
    const issues = issuesOf({ list: [1, undefined, 3], sparse: [1, , 3] })
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['list[1]', 'invalid_value'],
      ['sparse[1]', 'invalid_value'],
    ])
    expect(parseDefinition({ id: 'a', name: undefined })).toEqual({ ok: true, value: { id: 'a' } })
  })

  it('rejects symbol keys and circular references', () => {
    const doc: Record<string | symbol, unknown> = { id: 'a', [Symbol('k')]: 1 }
    expect(issuesOf(doc)[0]).toMatchObject({ path: '', code: 'invalid_value' })
    const cyclic: Record<string, unknown> = { id: 'a' }
    cyclic.self = cyclic
    expect(issuesOf(cyclic)[0]).toMatchObject({ path: 'self', code: 'invalid_value' })
  })

  it('enforces the nesting depth both for strings and objects', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < DEFINITION_LIMITS.maxDepth; i++) deep = { d: deep }
    expect(parseDefinition(deep).ok).toBe(true)
    const tooDeep = { d: deep }
    const issues = issuesOf(tooDeep)
    expect(issues[0]!.code).toBe('too_deep')
    expect(issues[0]!.path.split('.').length).toBe(DEFINITION_LIMITS.maxDepth)
    expect(issuesOf(JSON.stringify(tooDeep))[0]!.code).toBe('too_deep')
    expect(issuesOf(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)[0]!.code).toMatch(
      /too_deep|invalid_value/,
    )
  })

  it('enforces the size limit for strings and objects', () => {
    const big = 'x'.repeat(DEFINITION_LIMITS.maxSourceLength)
    expect(issuesOf(JSON.stringify({ big }))).toEqual([
      expect.objectContaining({ path: '', code: 'too_large' }),
    ])
    expect(issuesOf({ big })).toEqual([expect.objectContaining({ path: '', code: 'too_large' })])
  })

  it('stops a shared-reference blow-up at the size limit', () => {
    let node: unknown = 'x'.repeat(1000)
    for (let i = 0; i < 30; i++) node = [node, node]
    expect(issuesOf({ node }).at(-1)!.code).toBe('too_large')
  })

  it('accepts the task limit and rejects one more, cleanly and early', () => {
    const tasks = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, {}]))
    expect(parseDefinition({ tasks: tasks(DEFINITION_LIMITS.maxTasks) }).ok).toBe(true)
    expect(issuesOf({ tasks: tasks(20_000) })).toEqual([
      expect.objectContaining({
        path: 'tasks',
        code: 'too_large',
        message: expect.stringMatching(/20000 tasks/),
      }),
    ])
    const steps = Array.from({ length: DEFINITION_LIMITS.maxTasks + 1 }, () => ({}))
    expect(issuesOf({ steps })).toEqual([expect.objectContaining({ path: 'steps', code: 'too_large' })])
  })

  it('never throws for arbitrary values, and accepts every JSON object it is given as text', () => {
    const anything = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withBoxedValues: true,
      withTypedArray: true,
      withSparseArray: true,
    })
    fc.assert(
      fc.property(fc.oneof(anything, fc.string(), fc.json()), (raw) => {
        const result = parseDefinition(raw)
        expect(typeof result.ok).toBe('boolean')
        if (!result.ok) expect(result.issues.length).toBeGreaterThan(0)
      }),
      { numRuns: 500 },
    )
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (doc) => {
        const text = JSON.stringify(doc)
        const result = parseDefinition(text)
        const forbidden = /"(__proto__|constructor|prototype)":/.test(text)
        expect(result.ok).toBe(!forbidden)
        if (result.ok) expect(result.value).toEqual(JSON.parse(text))
      }),
      { numRuns: 300 },
    )
  })
})
