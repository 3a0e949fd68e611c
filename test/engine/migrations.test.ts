import { createEngine, indexedDbStore, memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { deleteDatabase, tempDatabaseName } from '../store/temp-database'
import { controllable, def, testEngines } from '../support/engine-fixtures'

/** Makes the records of `store` look as written before formats were recorded (format 1). */
async function asFormatOne(store: Store) {
  for (const d of await store.listDefinitions()) await store.setDefinitionFormat(d.id, d.version, 1)
  for (const r of await store.listRuns()) await store.setRunFormat(r.runId, 1)
}

describe('engine.migrations', () => {
  const open = testEngines()

  it('counts records by format; migrate(id) upgrades a definition and its runs, migrateAll the rest', async () => {
    const store = memoryStore()
    const { engine } = open({ store })
    await engine.register(def({ a: { action: 'noop' } }, { id: 'one' }))
    await engine.register(def({ a: { action: 'noop' } }, { id: 'two' }))
    for (const id of ['one', 'one', 'two']) await engine.wait((await engine.start(id)).runId)
    expect(await engine.migrations.status()).toEqual({
      formatVersion: 2,
      definitions: { current: 2, outdated: 0 },
      runs: { current: 3, outdated: 0 },
    })
    await asFormatOne(store)
    expect(await engine.migrations.status()).toMatchObject({
      definitions: { outdated: 2 },
      runs: { outdated: 3 },
    })
    expect(await engine.migrations.migrate('one')).toBe(3)
    expect(await engine.migrations.status()).toMatchObject({
      definitions: { current: 1, outdated: 1 },
      runs: { current: 2, outdated: 1 },
    })
    expect(await engine.migrations.migrateAll()).toBe(2)
    expect(await engine.migrations.migrateAll()).toBe(0)
    expect(await engine.migrations.status()).toMatchObject({
      definitions: { outdated: 0 },
      runs: { outdated: 0 },
    })
    await expect(engine.migrations.migrate('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(engine.migrations.migrate(7 as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('leaves a run an engine executes for later, and upgrades it once no engine holds it', async () => {
    const store = memoryStore()
    const work = controllable()
    const { engine } = open({ store, actions: { work: work.handler } })
    await engine.register(def({ a: { action: 'work' } }))
    const { runId } = await engine.start('wf')
    await asFormatOne(store)
    expect(await engine.migrations.migrateAll()).toBe(1)
    expect(await engine.migrations.status()).toMatchObject({
      definitions: { outdated: 0 },
      runs: { outdated: 1 },
    })
    await engine.pause(runId)
    work.calls[0]!.resolve('done')
    await engine.close()
    await asFormatOne(store)
    const { engine: next } = open({ store, actions: { work: work.handler } })
    expect(await next.migrations.migrateAll()).toBe(2)
    expect(await next.migrations.status()).toMatchObject({ runs: { outdated: 0 } })
    expect(await next.getRun(runId)).toMatchObject({ status: 'completed' })
  })

  it('asks authorize (verb migrate) and changes nothing when refused', async () => {
    const store = memoryStore()
    const { engine } = open({
      store,
      authorize: ({ principal, verb }) => principal === 'admin' || verb !== 'migrate',
    })
    await engine.register(def({ a: { action: 'noop' } }))
    await asFormatOne(store)
    await expect(engine.as('eve').migrations.migrateAll()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(engine.as('eve').migrations.migrate('wf')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await engine.migrations.status()).toMatchObject({ definitions: { outdated: 1 } })
    expect(await engine.as('admin').migrations.migrateAll()).toBe(1)
  })

  it('works on IndexedDB', async () => {
    const name = tempDatabaseName('migrations')
    const store = indexedDbStore({ name })
    const engine = createEngine({ store })
    try {
      await engine.register(def({ a: { action: 'noop' } }))
      await engine.wait((await engine.start('wf')).runId)
      await asFormatOne(store)
      expect(await engine.migrations.status()).toMatchObject({
        definitions: { outdated: 1 },
        runs: { outdated: 1 },
      })
      expect(await engine.migrations.migrateAll()).toBe(2)
      const [stored] = await store.listDefinitions()
      expect(stored).toMatchObject({ formatVersion: 2, definition: { id: 'wf' } })
      expect((await store.listRuns())[0]).toMatchObject({ formatVersion: 2, status: 'completed' })
    } finally {
      await engine.close()
      await deleteDatabase(name)
    }
  })
})
