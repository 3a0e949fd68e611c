import { describe, expect, it } from 'vitest'
import { analyzeParams, compileParams } from '../../src/definition/template'
import { scanTemplate } from '../../src/definition/template-scanner'
import { ExpressionError } from '../../src/errors'
import type { CompiledParams, ExpressionScope } from '../../src/types'
import { scope } from './definitions'

function resolve(params: CompiledParams, s: ExpressionScope = scope()) {
  if (params.static) throw new Error('expected dynamic params')
  return params.resolve(s)
}

describe('scanTemplate', () => {
  it('finds an exact template and its offset', () => {
    expect(scanTemplate('${ input.a }')).toEqual({
      ok: true,
      exact: true,
      pieces: [{ source: 'input.a', offset: 3 }],
    })
  })

  it('splits interpolated text', () => {
    expect(scanTemplate('id-${input.id}!')).toEqual({
      ok: true,
      exact: false,
      pieces: [{ text: 'id-' }, { source: 'input.id', offset: 5 }, { text: '!' }],
    })
  })

  it('respects nested braces and string literals containing braces and quotes', () => {
    const map = "${ {'total': input.a + input.b} }"
    expect(scanTemplate(map)).toMatchObject({
      ok: true,
      exact: true,
      pieces: [{ source: "{'total': input.a + input.b}" }],
    })
    const literal = '${ "}" + \'{\' + "\\"}" }'
    expect(scanTemplate(literal)).toMatchObject({
      ok: true,
      exact: true,
      pieces: [{ source: '"}" + \'{\' + "\\"}"' }],
    })
    expect(scanTemplate("${ '''a}b''' + r'\\}' }")).toMatchObject({ ok: true, exact: true })
  })

  it('writes $${ as a literal ${', () => {
    expect(scanTemplate('cost: $${ not an expression }')).toEqual({
      ok: true,
      exact: false,
      pieces: [{ text: 'cost: ${ not an expression }' }],
    })
  })

  it('reports an unterminated or empty template with its offset', () => {
    expect(scanTemplate('ab ${ input.a')).toMatchObject({ ok: false, offset: 3 })
    expect(scanTemplate("${ 'unclosed }")).toMatchObject({ ok: false, offset: 0 })
    expect(scanTemplate('x ${  }')).toMatchObject({
      ok: false,
      offset: 2,
      detail: expect.stringMatching(/empty/),
    })
  })
})

describe('compileParams', () => {
  it('keeps params without ${ static, by reference', () => {
    const params = { url: 'https://x.test', n: 1, list: [1, { a: true }], cost: '$5' }
    expect(compileParams(params)).toEqual({ static: true, value: params })
    expect((compileParams(params) as { value: unknown }).value).toBe(params)
  })

  it('unescapes $${ in otherwise static params', () => {
    expect(compileParams({ text: 'a $${b}' })).toEqual({ static: true, value: { text: 'a ${b}' } })
  })

  it('gives an exact template the typed value of its expression', () => {
    const params = compileParams({
      n: '${ input.a + 1 }',
      b: '${ input.a > 1 }',
      o: "${ {'total': input.a + input.b} }",
      l: '${ [1, 2] }',
      s: '${ "text" }',
      nothing: '${ null }',
    })
    expect(resolve(params, scope({ input: { a: 2, b: 3 } }))).toEqual({
      n: 3,
      b: true,
      o: { total: 5 },
      l: [1, 2],
      s: 'text',
      nothing: null,
    })
  })

  it('interpolates strings as they are and other values as JSON', () => {
    const params = compileParams({
      msg: 'order ${ input.id } has ${ input.n } lines: ${ input.lines } ${ input.flag } ${ null }',
    })
    expect(resolve(params, scope({ input: { id: 'A-1', n: 2, lines: [{ p: 1 }], flag: false } }))).toEqual({
      msg: 'order A-1 has 2 lines: [{"p":1}] false null',
    })
  })

  it('handles string literals containing } inside interpolation', () => {
    const params = compileParams({ msg: '<${ \'}\' + input.x + "{" }>' })
    expect(resolve(params, scope({ input: { x: 'y' } }))).toEqual({ msg: '<}y{>' })
  })

  it('resolves nested objects and arrays, keeping static parts', () => {
    const headers = { accept: 'json' }
    const params = compileParams({ headers, body: { items: ['${ input.a }', 2], name: 'n-${ input.a }' } })
    if (params.static) throw new Error('expected dynamic params')
    const value = params.resolve(scope({ input: { a: 5 } }))
    expect(value).toEqual({ headers, body: { items: [5, 2], name: 'n-5' } })
    expect(value.headers).toBe(headers)
  })

  it('collects the task references of all templates', () => {
    const params = compileParams({ a: '${ tasks.x.output }', b: ['${ tasks["y-z"].status }'], c: 'static' })
    expect(params.static).toBe(false)
    if (!params.static) expect([...params.taskRefs].sort()).toEqual(['x', 'y-z'])
  })

  it('allows item and index only under forEach', () => {
    const params = compileParams({ line: '${ item }', at: '${ index }' }, { item: true })
    expect(resolve(params, scope({ item: { sku: 'a' }, index: 2 }))).toEqual({ line: { sku: 'a' }, at: 2 })
    expect(() => compileParams({ line: '${ item }' })).toThrow(/forEach/)
  })

  it('throws an ExpressionError naming the path and the column in the string', () => {
    expect(() => compileParams({ body: { url: 'https://x/${ input.a + }' } })).toThrow(ExpressionError)
    expect(() => compileParams({ body: { url: 'https://x/${ input.a + }' } })).toThrow(
      /params\.body\.url: Syntax error at column 23 in "https:\/\/x\/\$\{ input\.a \+ }"/,
    )
  })

  it('lists every problem with its path when analyzed', () => {
    const analysis = analyzeParams({ a: '${ foo }', b: ['ok', '${ 1 + }'], c: '${ input.x' })
    expect(analysis.params).toBeUndefined()
    expect(analysis.problems.map((p) => [p.path, p.code])).toEqual([
      [['a'], 'unknown_variable'],
      [['b', 1], 'expression_syntax'],
      [['c'], 'expression_syntax'],
    ])
  })

  it('names the expression when evaluation fails', () => {
    const params = compileParams({ v: '${ tasks.a.output.missing }' })
    expect(() => resolve(params, scope({ tasks: { a: { output: {}, status: 'completed' } } }))).toThrow(
      /Expression "tasks.a.output.missing" failed/,
    )
  })
})
