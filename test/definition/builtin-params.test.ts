import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { BAD_BUILTIN_PARAMS, GOOD_BUILTIN_PARAMS } from '../support/builtin-params-table'
import { ACTIONS, definition } from './definitions'

function task(action: string, params: Record<string, unknown> | undefined) {
  return definition({ t: params === undefined ? { action } : { action, params } })
}

function issuesOf(doc: unknown) {
  const result = loadDefinition(doc, { actions: ACTIONS })
  return result.ok ? [] : result.issues
}

describe('built-in params checked at register', () => {
  it.each(BAD_BUILTIN_PARAMS)('$action $params: $code at $path', ({ action, params, path, code, says }) => {
    const issues = issuesOf(task(action, params))
    expect(issues.map((i) => [i.path, i.code])).toEqual([[path, code]])
    expect(issues[0]!.message).toContain(says)
  })

  it.each(GOOD_BUILTIN_PARAMS)('$action accepts $params', ({ action, params }) => {
    expect(issuesOf(task(action, params))).toEqual([])
  })

  it('a delay in seconds, and a transform without value, are register-time issues saying what to write', () => {
    const [seconds] = issuesOf(task('delay', { seconds: 5 }))
    expect(seconds).toMatchObject({ path: 'tasks.t.params.ms', code: 'param_required' })
    expect(seconds!.message).toContain('write "ms": 5000 instead of "seconds": 5')
    const [value] = issuesOf(task('transform', { operations: ['normalize'] }))
    expect(value).toMatchObject({ path: 'tasks.t.params.value', code: 'param_required' })
  })

  it('says what was written and what to write', () => {
    const [issue] = issuesOf(task('delay', { ms: '5s' }))
    expect(issue!.message).toBe('delay: params.ms must be a number of milliseconds ≥ 0, like 5000; got "5s".')
    const [unknown] = issuesOf(task('approval', { title: 't', levels: [{ approvers: ['a'] }], titel: 'x' }))
    expect(unknown!.message).toMatch(
      /^approval has no param "titel"; did you mean "title"\? It takes title, /,
    )
  })

  it('lists every problem of one task, not only the first the action would meet', () => {
    const params = { title: 5, selfApproval: 1, levels: [{ approvers: ['a'], quorum: 2 }, { groups: [] }] }
    expect(issuesOf(task('approval', params)).map((i) => [i.path, i.code])).toEqual([
      ['tasks.t.params.title', 'param_invalid'],
      ['tasks.t.params.selfApproval', 'param_invalid'],
      ['tasks.t.params.levels[0].quorum', 'param_invalid'],
      ['tasks.t.params.levels[1]', 'param_invalid'],
    ])
  })

  it('leaves a ${ } param to the run, and checks the literal parts around it', () => {
    const computed: [string, Record<string, unknown>][] = [
      ['transform', { value: '${ input.x }' }],
      ['delay', { ms: '${ input.ms }' }],
      ['delay', { until: 'at ${ input.when }' }],
      ['wait-for-event', { event: '${ input.e }', timeoutMs: '${ input.t }' }],
      ['subworkflow', { workflow: '${ input.w }', version: '${ input.v }', wait: '${ input.b }' }],
      ['subworkflow', { workflow: 'c', input: '${ input }', onParentCancel: '${ input.how }' }],
      ['approval', { title: '${ input.t }', levels: '${ input.levels }', form: '${ input.form }' }],
      ['approval', { title: 't', levels: ['${ input.level }', { approvers: '${ input.who }', quorum: 3 }] }],
      ['approval', { title: 't', levels: [{ approvers: ['a', '${ input.b }'], quorum: 2 }] }],
      ['approval', { title: 't', levels: [{ approvers: ['a'], onTimeout: '${ input.how }' }] }],
      [
        'approval',
        {
          title: 't',
          levels: [{ approvers: ['a'] }],
          form: { properties: { s: { pattern: '${ input.p }' } } },
        },
      ],
    ]
    for (const [action, params] of computed) expect(issuesOf(task(action, params)), action).toEqual([])

    const mixed = { title: '${ input.t }', levels: [{ approvers: '${ input.who }', quorum: 0 }] }
    expect(issuesOf(task('approval', mixed)).map((i) => i.path)).toEqual(['tasks.t.params.levels[0].quorum'])
    // Both given is refused whatever the computed one turns out to be.
    expect(issuesOf(task('delay', { ms: '${ input.ms }', until: 5 })).map((i) => i.path)).toEqual([
      'tasks.t.params.until',
    ])
  })

  it('refuses a subworkflow task that runs its own workflow, written literally', () => {
    expect(issuesOf(task('subworkflow', { workflow: 'wf' })).map((i) => [i.path, i.code])).toEqual([
      ['tasks.t.params.workflow', 'self_reference'],
    ])
    expect(issuesOf(task('subworkflow', { workflow: "${ 'w' + 'f' }" }))).toEqual([])
  })

  it('checks the params of a built-in compensation too', () => {
    const doc = definition({ t: { action: 'noop', compensate: { action: 'transform', params: {} } } })
    expect(issuesOf(doc).map((i) => [i.path, i.code])).toEqual([
      ['tasks.t.compensate.params.value', 'param_required'],
    ])
  })

  it('reports params that are not an object once, as a shape issue', () => {
    expect(issuesOf(task('approval', 'x' as never)).map((i) => i.path)).toEqual(['tasks.t.params'])
  })
})
