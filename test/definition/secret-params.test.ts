import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { secretReference } from '../../src/definition/secret-reference'
import { compileParams } from '../../src/definition/template'
import { TaskError } from '../../src/errors'
import { SecretVault } from '../../src/host/secret-vault'
import { ACTIONS, definition } from './definitions'

const actions = new Set([...ACTIONS, 'http', 'mine'])
const scope = {
  input: { id: 7 },
  tasks: {},
  state: {},
  run: { id: 'r', definitionId: 'wf', version: '1.0.0' },
}

function issuesOf(tasks: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const result = loadDefinition(definition(tasks, extra), { actions })
  return result.ok ? [] : result.issues.map((i) => [i.path, i.code, i.message])
}

describe("secret('name') in a definition", () => {
  it('is allowed in the url, query and headers of an http task, whole or interpolated', () => {
    const http = {
      action: 'http',
      params: {
        url: "${ 'https://api.test/' + secret('path_key') }",
        query: { key: "${ secret('QUERY_KEY') }" },
        headers: { authorization: "Bearer ${ secret('token') }", 'x-id': '${ input.id }' },
        method: 'POST',
      },
    }
    expect(issuesOf({ call: http })).toEqual([])
    expect(
      issuesOf({
        call: { ...http, params: { url: 'https://api.test', headers: "${ {'a': secret('token')} }" } },
      }),
    ).toEqual([])
  })

  it('is refused everywhere else with an issue saying where secrets may be used', () => {
    const found = issuesOf(
      {
        a: { action: 'mine', params: { key: "${ secret('token') }" } },
        b: { action: 'http', params: { url: 'https://api.test', body: "${ secret('token') }" } },
        c: { action: 'transform', params: { value: "x ${ secret('token') }" } },
        d: { action: 'noop', when: "secret('token') != ''" },
        e: { action: 'noop', forEach: "[secret('token')]", params: {} },
        f: { action: 'noop', cache: { key: "secret('token')" } },
        g: {
          action: 'noop',
          compensate: { action: 'mine', params: { undo: "${ secret('token') }" } },
        },
      },
      { output: "{'leak': secret('token')}" },
    )
    // cache is checked for its other fields too: only the secret issues matter here.
    const secretIssues = found.filter(([, code]) => code === 'secret_not_allowed')
    expect(secretIssues.map(([path, code]) => [path, code])).toEqual([
      ['tasks.a.params.key', 'secret_not_allowed'],
      ['tasks.b.params.body', 'secret_not_allowed'],
      ['tasks.c.params.value', 'secret_not_allowed'],
      ['tasks.d.when', 'secret_not_allowed'],
      ['tasks.e.forEach', 'secret_not_allowed'],
      ['tasks.f.cache.key', 'secret_not_allowed'],
      ['tasks.g.compensate.params.undo', 'secret_not_allowed'],
      ['output', 'secret_not_allowed'],
    ])
    expect(secretIssues[0]![2]).toContain('params.url, params.query, params.headers of an "http" task')
    expect(secretIssues[0]![2]).toContain('ctx.secrets.get(name)')
  })

  it('needs a literal, well-formed name: a computed one could reach any secret', () => {
    const found = issuesOf({
      a: { action: 'http', params: { url: 'https://a.test', headers: { k: '${ secret(input.name) }' } } },
      b: { action: 'http', params: { url: 'https://a.test', headers: { k: "${ secret('no spaces') }" } } },
    })
    expect(found.map(([path, code]) => [path, code])).toEqual([
      ['tasks.a.params.headers.k', 'secret_name'],
      ['tasks.b.params.headers.k', 'secret_name'],
    ])
  })

  it('evaluates to an opaque reference, never the value; reveal makes it the value', async () => {
    const vault = new SecretVault({ token: 's3cr3t-value' })
    const params = compileParams({
      headers: { authorization: "Bearer ${ secret('token') }" },
      n: '${ input.id }',
    })
    if (params.static) throw new Error('expected computed params')
    const resolved = params.resolve(scope)
    expect(JSON.stringify(resolved)).not.toContain('s3cr3t-value')
    expect(await vault.reveal(resolved)).toEqual({ headers: { authorization: 'Bearer s3cr3t-value' }, n: 7 })
  })

  it('reveals only references made by this realm: one typed into input stays text', async () => {
    const vault = new SecretVault({ token: 's3cr3t-value' })
    const own = secretReference('token')
    const forged = own.replace(/secret:[0-9a-f]{32}:/, `secret:${'0'.repeat(32)}:`)
    expect(forged).not.toBe(own)
    expect(await vault.reveal({ a: forged, b: [`x${own}y`] })).toEqual({ a: forged, b: ['xs3cr3t-valuey'] })
  })

  it('rejects with a TaskError SECRET_NOT_FOUND (not retryable) naming a missing secret', async () => {
    const vault = new SecretVault({})
    const error = await vault
      .reveal({ url: `https://a.test/${secretReference('missing')}` })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TaskError)
    expect(error).toMatchObject({ code: 'SECRET_NOT_FOUND', retryable: false })
    expect((error as Error).message).toContain('"missing"')
  })
})
