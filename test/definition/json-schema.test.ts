import { Validator } from '@cfworker/json-schema'
import { definitionSchema, templates } from 'spindle'
import { describe, expect, it } from 'vitest'
import readme from '../../README.md?raw'
import { loadDefinition } from '../../src/definition/load'
import { templateDefinition } from '../../src/templates/catalog'
import { ACTIONS, designExample } from './definitions'
import { SEED_EXAMPLES } from './seed-examples'

const validator = new Validator(definitionSchema as object, '7', false)
const errorsOf = (doc: unknown) =>
  validator.validate(doc).errors.map((e) => `${e.instanceLocation}: ${e.error}`)

/** The README's JSON blocks that are whole 2.0 definitions. */
function readmeDefinitions(): Record<string, unknown>[] {
  const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!)
  return blocks.flatMap((block) => {
    try {
      const value = JSON.parse(block)
      return value?.schemaVersion === '2.0' ? [value] : []
    } catch {
      return []
    }
  })
}

/** Every 2.0 definition the examples give: DESIGN's, the README's, each older form as migrated, each template's. */
function exampleDefinitions(): [string, unknown][] {
  const examples: [string, unknown][] = [['DESIGN.md §2', designExample()]]
  readmeDefinitions().forEach((doc, i) => {
    examples.push([`README definition ${i + 1}`, doc])
  })
  for (const example of SEED_EXAMPLES) {
    const actions = new Set([...ACTIONS, ...example.actions])
    const aliases = new Map(Object.entries(example.aliases ?? {}))
    const loaded = loadDefinition(example.source, { actions, aliases })
    if (!loaded.ok) throw new Error(`${example.title}: ${JSON.stringify(loaded.issues)}`)
    examples.push([example.title, loaded.definition])
  }
  for (const template of templates) {
    const needed = Object.entries(template.params).filter(([, spec]) => spec.required)
    const params = Object.fromEntries(needed.map(([name]) => [name, `${name}-value`]))
    examples.push([`template ${template.id}`, templateDefinition(template.id, params)])
  }
  return examples
}

describe('definitionSchema (JSON Schema for editors)', () => {
  it.each(exampleDefinitions())('%s passes the JSON Schema', (_title, doc) => {
    expect(errorsOf(doc)).toEqual([])
  })

  it('refuses a field the engine does not take, a bad id, a bad task id, a bad trigger', () => {
    const doc = designExample()
    doc.tasks.fetch.depends_on = []
    expect(errorsOf(doc).join('\n')).toMatch(/depends_on/)
    expect(errorsOf({ ...designExample(), id: 'Order Pipeline' }).join('\n')).toMatch(/#\/id/)
    const dotted = designExample()
    dotted.tasks['a.b'] = { action: 'noop' }
    expect(errorsOf(dotted)).not.toEqual([])
    const trigger = designExample()
    trigger.tasks.load.trigger = 'all_done'
    expect(errorsOf(trigger).join('\n')).toMatch(/trigger/)
  })

  it('describes the fields for editors and accepts a "$schema" line', () => {
    const properties = (definitionSchema as { properties: Record<string, any> }).properties
    expect(properties.tasks.additionalProperties.properties.trigger.description).toMatch(/all-success/)
    expect(properties.id.description).toMatch(/lowercase/)
    expect(errorsOf({ $schema: './node_modules/spindle/dist/schema.json', ...designExample() })).toEqual([])
  })
})
