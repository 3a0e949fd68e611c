import { memoryStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { def, testEngine } from '../support/engine-fixtures'

const refusedVersion = { code: 'DEFINITION_INVALID', issues: [{ path: 'version', code: 'version_exists' }] }

describe('register() changes nothing unless the store accepted the definition', () => {
  it('a version refused as version_exists does not change what start() runs', async () => {
    const store = memoryStore()
    const { engine: first } = testEngine({ store })
    const { engine: second } = testEngine({ store })
    await first.register(def({ a: { action: 'noop' } }))
    await expect(second.register(def({ b: { action: 'noop' } }))).rejects.toMatchObject(refusedVersion)
    const run = await second.start('wf')
    expect(Object.keys((await second.wait(run.runId)).tasks)).toEqual(['a'])
    const pinned = await second.start('wf', {}, { version: '1.0.0' })
    expect(Object.keys((await second.wait(pinned.runId)).tasks)).toEqual(['a'])
  })

  it('a definition the store failed to write cannot be started', async () => {
    const store = faultyStore(memoryStore(), { method: 'putDefinition' })
    const { engine } = testEngine({ store })
    await expect(engine.register(def({ a: { action: 'noop' } }))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    })
    await expect(engine.start('wf', {}, { version: '1.0.0' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await store.listRuns()).toEqual([])
  })

  it('the same content with its keys in another order is the same version', async () => {
    const { engine } = testEngine()
    const first = await engine.register(
      def({ a: { action: 'delay', params: { ms: 1, note: 'x' } }, b: { action: 'noop', dependsOn: ['a'] } }),
    )
    const reordered = {
      tasks: {
        b: { dependsOn: ['a'], action: 'noop' },
        a: { params: { note: 'x', ms: 1 }, action: 'delay' },
      },
      version: '1.0.0',
      id: 'wf',
      schemaVersion: '2.0',
    }
    expect(await engine.register(reordered)).toEqual(first)
  })

  it('two engines registering one new version with different content: one wins, the other is refused', async () => {
    const store = memoryStore()
    const { engine: first } = testEngine({ store })
    const { engine: second } = testEngine({ store })
    const results = await Promise.allSettled([
      first.register(def({ a: { action: 'noop' } })),
      second.register(def({ b: { action: 'noop' } })),
    ])
    const refused = results.filter((r) => r.status === 'rejected')
    expect(refused).toHaveLength(1)
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject(refusedVersion)
    const stored = Object.keys((await store.getDefinition('wf', '1.0.0'))!.definition.tasks)
    expect(stored).toEqual(results[0]!.status === 'fulfilled' ? ['a'] : ['b'])
  })

  it('two engines registering the same new version with the same content both succeed', async () => {
    const store = memoryStore()
    const { engine: first } = testEngine({ store })
    const { engine: second } = testEngine({ store })
    const [a, b] = await Promise.all([
      first.register(def({ a: { action: 'noop' } })),
      second.register(def({ a: { action: 'noop' } })),
    ])
    expect(a).toEqual(b)
    expect(await store.listDefinitions()).toHaveLength(1)
  })
})
