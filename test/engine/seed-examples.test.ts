import { type ActionHandler, createEngine, indexedDbStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { SEED_EXAMPLES, type SeedExample } from '../definition/seed-examples'
import { deleteDatabase, tempDatabaseName } from '../store/temp-database'
import { testEngines } from '../support/engine-fixtures'

/** Stand-in actions: each records its params and answers with its own name. */
function standIns(names: readonly string[]) {
  const calls: { action: string; params: unknown }[] = []
  const actions: Record<string, ActionHandler> = {}
  for (const name of names)
    actions[name] = (params) => {
      calls.push({ action: name, params })
      return { from: name, processed_text: `text from ${name}` }
    }
  return { actions, calls }
}

describe('the example definitions of the formats users bring', () => {
  const open = testEngines()

  it.each(SEED_EXAMPLES.map((example) => [example.title, example] as const))(
    '%s registers as written and runs to completed',
    async (_title, example: SeedExample) => {
      const { actions, calls } = standIns(example.actions)
      const { engine } = open({ actions, ...(example.aliases ? { actionAliases: example.aliases } : {}) })
      const info = await engine.register(example.source)
      const { runId } = await engine.start(info.id, example.input ?? {})
      const run = await engine.wait(runId)
      expect(run.status).toBe('completed')
      expect(Object.values(run.tasks).map((task) => task.status)).toEqual(
        Object.values(run.tasks).map(() => 'completed'),
      )
      expect(new Set(calls.map((call) => call.action))).toEqual(new Set(example.actions))
    },
  )

  it('a migrated step type named like a built-in runs the built-in unless the app maps it to its own action', async () => {
    const example = SEED_EXAMPLES.find((e) => e.title === 'data pipeline template (JSON)')!
    const { actions } = standIns(['extract', 'validate', 'load'])
    const { engine } = open({ actions })
    const error = await engine.register(example.source).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'DEFINITION_INVALID' })
    const issue = (error as { issues: { path: string; message: string }[] }).issues[0]!
    expect(issue.path).toBe('steps[1].config.value')
    expect(issue.message).toContain('actionAliases: { "transform": \'my-transform\' }')
    expect(await engine.listDefinitions()).toEqual([])
  })

  it('refuses an app action under a built-in name, and an alias to an action that is not registered', () => {
    expect(() => createEngine({ actions: { transform: () => 1 } })).toThrow(/actionAliases/)
    expect(() => createEngine({ actions: { mine: () => 1 }, actionAliases: { transform: 'other' } })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/"transform" maps to "other"/),
      }),
    )
  })

  it('registers and runs an example on IndexedDB', async () => {
    const name = tempDatabaseName('seed-examples')
    const example = SEED_EXAMPLES.find((e) => e.title.startsWith('Multi-Agent'))!
    const { actions, calls } = standIns(example.actions)
    const engine = createEngine({ store: indexedDbStore({ name }), actions })
    try {
      const info = await engine.register(example.source)
      const run = await engine.wait((await engine.start(info.id, {})).runId)
      expect(run.status).toBe('completed')
      expect(calls.map((call) => (call.params as { agent: string }).agent)).toEqual([
        'data_agent',
        expect.stringMatching(/^analyst_/),
        expect.stringMatching(/^analyst_/),
        'synthesizer',
      ])
    } finally {
      await engine.close()
      await deleteDatabase(name)
    }
  })
})

describe('ids made from names', () => {
  const open = testEngines()

  it('says where a clashing id came from and how to set one', async () => {
    const { engine } = open({ actions: { a: () => 1, b: () => 2 } })
    await engine.register({ name: 'Data Pipeline', steps: [{ type: 'a' }] })
    const error = await engine.register({ name: 'Data Pipeline', steps: [{ type: 'b' }] }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({
      code: 'DEFINITION_INVALID',
      issues: [
        {
          path: 'name',
          code: 'id_taken',
          message: expect.stringContaining('its id "data-pipeline" was made from its name "Data Pipeline"'),
        },
      ],
    })
    expect((error as Error).message).toContain('"id": "data-pipeline-2"')
    expect((await engine.listDefinitions()).map((d) => d.id)).toEqual(['data-pipeline'])
    await engine.register({ id: 'data-pipeline-2', name: 'Data Pipeline', steps: [{ type: 'b' }] })
  })
})
