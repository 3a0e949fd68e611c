import { connectEngine } from 'spindle/client'
import { describe, expect, it } from 'vitest'
import { deleteDatabase } from './engine-worker'

describe('engine.migrations through the default worker', () => {
  it('reports the formats of the stored records and migrates', async () => {
    const name = `migrations-${crypto.randomUUID()}`
    const engine = connectEngine(undefined, { engine: { store: { name } } })
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'm',
        version: '1.0.0',
        tasks: { a: { action: 'noop' } },
      })
      await engine.wait((await engine.start('m')).runId, { timeoutMs: 5000 })
      expect(await engine.migrations.status()).toEqual({
        formatVersion: 2,
        definitions: { current: 1, outdated: 0 },
        runs: { current: 1, outdated: 0 },
      })
      expect(await engine.migrations.migrateAll()).toBe(0)
      await expect(engine.migrations.migrate('none')).rejects.toMatchObject({
        name: 'NotFoundError',
        code: 'NOT_FOUND',
      })
    } finally {
      await engine.close()
      await deleteDatabase(name)
    }
  })
})
