import { templates } from 'spindle'
import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { templateDefinition } from '../../src/templates/catalog'
import { ACTIONS } from '../definition/definitions'

/** The params a template needs: its required ones, each given a value of its type. */
function requiredParams(id: string): Record<string, unknown> {
  const info = templates.find((t) => t.id === id)!
  return Object.fromEntries(
    Object.entries(info.params)
      .filter(([, spec]) => spec.required)
      .map(([name]) => [name, `${name}-value`]),
  )
}

describe('the built-in templates', () => {
  it('are the ten the formats users bring name, each with described params and the actions to register', () => {
    expect(templates.map((t) => t.id)).toEqual([
      'document-processing',
      'data-pipeline',
      'notification-flow',
      'approval-chain',
      'parallel-processing',
      'sequential-pipeline',
      'conditional-workflow',
      'process-control',
      'troubleshooting',
      'knowledge-ingestion',
    ])
    for (const info of templates) {
      expect(info.name).not.toBe('')
      expect(info.tags.length).toBeGreaterThan(0)
      for (const [name, spec] of Object.entries(info.params)) {
        expect(spec.description, `${info.id}.${name}`).toBeTruthy()
        expect(spec.required === true || spec.default !== undefined, `${info.id}.${name}`).toBe(true)
      }
    }
  })

  it.each(templates.map((t) => [t.id]))('%s makes a valid 2.0 definition from its defaults', (id) => {
    const info = templates.find((t) => t.id === id)!
    const definition = templateDefinition(id, requiredParams(id))
    const loaded = loadDefinition(definition, { actions: new Set([...ACTIONS, ...info.actions]) })
    expect(loaded.issues).toEqual([])
    expect(definition).toMatchObject({ schemaVersion: '2.0', id, version: '1.0.0', name: info.name })
  })

  it('lists every problem of the params: unknown with a guess, missing, wrong type, outside the enum', () => {
    let error: unknown
    try {
      templateDefinition('approval-chain', {
        level1_aprover: 'alice',
        level1TimeoutMs: 'soon',
        onFinalTimeout: 'escalate',
      })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'InputError', code: 'INPUT_INVALID' })
    const issues = (error as { issues: { path: string; code: string; message: string }[] }).issues
    expect(issues.map((i) => [i.path, i.code]).sort()).toEqual(
      [
        ['level1_approver', 'required'],
        ['level2_approver', 'required'],
        ['level1TimeoutMs', 'invalid_type'],
        ['onFinalTimeout', 'invalid_value'],
        ['level1_aprover', 'unknown_param'],
      ].sort(),
    )
    expect(issues.find((i) => i.code === 'unknown_param')!.message).toContain(
      'Did you mean "level1_approver"?',
    )
  })

  it('checks what a type alone does not say, names the definition as asked, and refuses an unknown template', () => {
    expect(() => templateDefinition('notification-flow', { channels: ['email', 'fax'] })).toThrow(
      expect.objectContaining({ code: 'INPUT_INVALID', message: expect.stringMatching(/"channels" lists/) }),
    )
    expect(templateDefinition('troubleshooting', {}, { name: 'Pump 7 diagnosis' })).toMatchObject({
      id: 'pump-7-diagnosis',
      name: 'Pump 7 diagnosis',
    })
    expect(templateDefinition('troubleshooting', {}, { id: 'diag', version: '2.1.0' })).toMatchObject({
      id: 'diag',
      version: '2.1.0',
    })
    expect(() => templateDefinition('approval-chian', {})).toThrow(
      expect.objectContaining({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/Did you mean "approval-chain"/),
      }),
    )
    expect(() => templateDefinition('troubleshooting', {}, { id: 7 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })

  it('exports frozen templates: no one changes a template through them', () => {
    const params = templates[0]!.params as Record<string, { default?: unknown }>
    expect(() => {
      params.maxSizeBytes!.default = 1
    }).toThrow(TypeError)
    expect(templateDefinition('document-processing', {}).tasks.upload!.params!.max_size).toBe(10_485_760)
  })
})
