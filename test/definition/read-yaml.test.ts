import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { parseDefinition } from '../../src/definition/parse'

const ACTIONS = new Set(['work'])

function issuesOf(text: string) {
  const parsed = parseDefinition(text)
  if (parsed.ok) throw new Error(`expected issues, got ${JSON.stringify(parsed.value)}`)
  return parsed.issues
}

describe('YAML definitions', () => {
  it('reads a 2.0 definition written in YAML, comments and all', () => {
    const loaded = loadDefinition(
      `# a workflow
schemaVersion: "2.0"
id: yaml-flow
version: 1.0.0
tasks:
  a: { action: work, params: { n: 1, on: true, none: null } }
  b:
    action: work
    dependsOn: [a]
    params:
      text: "\${ string(tasks.a.output) }"
`,
      { actions: ACTIONS },
    )
    expect(loaded).toMatchObject({
      ok: true,
      definition: {
        id: 'yaml-flow',
        tasks: {
          a: { action: 'work', params: { n: 1, on: true, none: null } },
          b: { dependsOn: ['a'], params: { text: '${ string(tasks.a.output) }' } },
        },
      },
    })
  })

  it('still reads JSON text as JSON, with JSON errors', () => {
    expect(issuesOf('{"id": }')).toEqual([expect.objectContaining({ code: 'not_json' })])
  })

  it('refuses duplicate keys, naming the line', () => {
    const [issue] = issuesOf('id: a\nversion: 1.0.0\nid: b\n')
    expect(issue).toMatchObject({ code: 'not_yaml' })
    expect(issue!.message).toMatch(/line 3, column 1/)
  })

  it('refuses custom tags instead of running or stringifying them', () => {
    for (const text of ['id: !!js/function "return 1"\n', 'id: !custom x\n']) {
      expect(issuesOf(text)).toEqual([expect.objectContaining({ code: 'not_yaml' })])
    }
    // A standard tag that makes no JSON value is refused as such.
    expect(issuesOf('when: !!binary aGk=\n')).toEqual([
      expect.objectContaining({ path: 'when', message: expect.stringMatching(/not plain JSON data/) }),
    ])
  })

  it('bounds aliases, so a billion-laughs document costs nothing', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`)
    }
    const issues = issuesOf(`${levels.join('\n')}\n`)
    expect(issues[0]).toMatchObject({ code: 'not_yaml', message: expect.stringMatching(/aliases/) })
  })

  it('refuses the forbidden keys and nesting beyond the limit, as for JSON', () => {
    expect(issuesOf('id: a\n__proto__: { polluted: true }\n')).toEqual([
      expect.objectContaining({ path: '__proto__' }),
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const deep = `${'a:\n'.split('\n')[0]}${' ['.repeat(40)}${']'.repeat(40)}\n`
    expect(issuesOf(deep)[0]).toMatchObject({ code: 'too_deep' })
  })

  it('says what a YAML document that is not a mapping is', () => {
    expect(issuesOf('- a\n- b\n')).toEqual([expect.objectContaining({ code: 'invalid_value' })])
    expect(issuesOf('just text\n')).toEqual([expect.objectContaining({ code: 'invalid_value' })])
  })
})
