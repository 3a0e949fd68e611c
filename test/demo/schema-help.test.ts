import { definitionSchema } from 'spindle'
import { describe, expect, it } from 'vitest'
import { fieldHelp } from '../../demo/schema-help'

describe('fieldHelp reads the definition JSON Schema at an issue path', () => {
  it('describes a field of a task, through the map of tasks', () => {
    expect(fieldHelp(definitionSchema, 'tasks.fetch.action').description).toMatch(/^The action the task runs/)
  })

  it('describes the nearest described field above a path inside free-form params', () => {
    const help = fieldHelp(definitionSchema, 'tasks.fetch.params.url')
    expect(help.description).toBe(fieldHelp(definitionSchema, 'tasks.fetch.params').description)
    expect(help.description).toBeTruthy()
  })

  it('lists the fields an object takes for a field it does not', () => {
    const { fields, description } = fieldHelp(definitionSchema, 'tasks.b.depends_on')
    expect(description).toBeUndefined()
    expect(fields).toEqual(expect.arrayContaining(['action', 'dependsOn', 'params', 'retry']))
  })

  it('goes through list items and says nothing of a path the schema does not describe', () => {
    expect(fieldHelp(definitionSchema, 'tasks.b.dependsOn[0]').description).toBeTruthy()
    // A 1.0 document's path (the editor migrates it): the schema of 2.0 has no word on it.
    expect(fieldHelp(definitionSchema, 'steps[0].config.value')).toEqual({})
    expect(fieldHelp(definitionSchema, 'steps').fields).toEqual(expect.arrayContaining(['tasks', 'params']))
    expect(fieldHelp(definitionSchema, 'nothing.deeper.here')).toEqual({})
    expect(fieldHelp(definitionSchema, '')).toEqual({})
  })
})
