import { memoryStore, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { countedStore } from '../../bench/counted-store'
import { faultyStore } from '../store/faulty-store'
import { gatedStore } from '../store/gated-store'
import { tempStores } from '../store/temp-database'
import { controllable, def, testEngine } from '../support/engine-fixtures'

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

  describe('in IndexedDB, two connections to one database (S8)', () => {
    const temp = tempStores()

    it('both past the existence check, registering other content: one wins, the other is refused', async () => {
      const one = gatedStore(temp.open())
      const two = gatedStore(temp.open(one.name))
      const first = testEngine({ store: one }).engine
      const second = testEngine({ store: two }).engine
      // Each engine reads "not registered" and is held there until the other has read it too.
      const reads = [one, two].map((store) =>
        store.hold('getDefinition', (id, version) => id === 'wf' && version === '1.0.0', 'after'),
      )
      const registering = [
        first.register(def({ a: { action: 'noop' } })),
        second.register(def({ b: { action: 'noop' } })),
      ]
      await Promise.all(reads.map((read) => read.reached))
      for (const read of reads) read.open()
      const results = await Promise.allSettled(registering)
      const refused = results.filter((r) => r.status === 'rejected')
      expect(refused).toHaveLength(1)
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject(refusedVersion)
      const winner = results[0]!.status === 'fulfilled' ? ['a'] : ['b']
      expect(Object.keys((await one.getDefinition('wf', '1.0.0'))!.definition.tasks)).toEqual(winner)
      expect(await two.listDefinitions()).toHaveLength(1)
      // Both engines run what the store holds.
      for (const engine of [first, second]) {
        const run = await engine.start('wf')
        expect(Object.keys((await engine.wait(run.runId)).tasks)).toEqual(winner)
        await engine.close()
      }
    })
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

describe('deleteDefinition() keeps what runs read', () => {
  it('refuses to delete a version that finished runs use, and their views stay readable', async () => {
    const { engine } = testEngine()
    await engine.register(def({ a: { action: 'noop' } }))
    const done = await engine.start('wf')
    await engine.wait(done.runId)
    const error = await engine.deleteDefinition('wf', '1.0.0').catch((e) => e)
    expect(error).toMatchObject({ code: 'INVALID_STATE' })
    expect(error.message).toMatch(/1 run/)
    await expect(engine.deleteDefinition('wf')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await engine.getDefinition('wf', '1.0.0')).toBeDefined()
    expect((await engine.getRun(done.runId))?.status).toBe('completed')
    expect((await engine.wait(done.runId)).status).toBe('completed')
  })

  it('a cancelled run also keeps its version; a version without runs can be deleted', async () => {
    const slow = controllable()
    const { engine } = testEngine({ actions: { slow: slow.handler } })
    await engine.register(def({ a: { action: 'slow' } }))
    await engine.register({ ...def({ a: { action: 'noop' } }), version: '2.0.0' })
    const run = await engine.start('wf', {}, { version: '1.0.0' })
    await engine.idle()
    await engine.cancel(run.runId)
    await expect(engine.deleteDefinition('wf', '1.0.0')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    await engine.deleteDefinition('wf', '2.0.0')
    expect((await engine.listDefinitions()).map((d) => d.version)).toEqual(['1.0.0'])
    expect((await engine.getRun(run.runId))?.status).toBe('cancelled')
  })

  it('a run created while the delete is under way puts the version back and refuses the delete', async () => {
    const inner = memoryStore()
    const { engine: other } = testEngine({ store: inner })
    await other.register(def({ a: { action: 'noop' } }))
    // Another engine's start() lands between the delete's check for runs and its write.
    let started: Promise<unknown> | undefined
    const store = new Proxy(inner, {
      get(target, key) {
        if (key === 'deleteDefinition') {
          return async (id: string, version?: string) => {
            started ??= other.start('wf')
            await started
            return target.deleteDefinition(id, version)
          }
        }
        const value = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as Store
    const { engine } = testEngine({ store })
    await expect(engine.deleteDefinition('wf', '1.0.0')).rejects.toMatchObject({ code: 'INVALID_STATE' })
    expect(await engine.getDefinition('wf', '1.0.0')).toBeDefined()
  })
})

describe('hostile definitions', () => {
  const boom = () => {
    throw new Error('trap')
  }
  const unprintable = new Proxy(
    {},
    {
      get: boom,
      getPrototypeOf: boom,
    },
  )
  const revoked = Proxy.revocable({}, {})
  revoked.revoke()
  const cyclic: Record<string, unknown> = { schemaVersion: '2.0', id: 'wf', version: '1.0.0' }
  cyclic.tasks = { a: { action: 'noop', params: { loop: cyclic } } }
  const hostile: [string, unknown][] = [
    ['a proxy whose ownKeys trap throws', new Proxy({}, { ownKeys: boom })],
    ['a proxy whose getPrototypeOf trap throws', new Proxy({}, { getPrototypeOf: boom })],
    [
      'a proxy whose getOwnPropertyDescriptor trap throws',
      new Proxy({ id: 'wf' }, { getOwnPropertyDescriptor: boom }),
    ],
    ['a revoked proxy', revoked.proxy],
    ['a revoked proxy deep inside', def({ a: { action: 'noop', params: { x: revoked.proxy } } })],
    [
      'an array proxy whose get trap throws',
      def({ a: { action: 'noop', dependsOn: new Proxy([], { get: boom }) } }),
    ],
    [
      'a throwing getter',
      def({ a: { action: 'noop', params: Object.defineProperty({}, 'x', { get: boom, enumerable: true }) } }),
    ],
    [
      'a prototype whose constructor getter throws',
      Object.create(Object.create(null, { constructor: { get: boom } })),
    ],
    [
      'a trap that throws something unprintable',
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw unprintable
          },
        },
      ),
    ],
    ['a cyclic definition', cyclic],
  ]

  for (const [what, value] of hostile) {
    it(`${what}: validate() lists an issue, register() rejects with DefinitionError and stores nothing`, async () => {
      const { engine } = testEngine()
      const result = engine.validate(value)
      expect(result.ok).toBe(false)
      expect(result.issues.length).toBeGreaterThan(0)
      await expect(engine.register(value)).rejects.toMatchObject({
        name: 'DefinitionError',
        code: 'DEFINITION_INVALID',
      })
      expect(await engine.listDefinitions()).toEqual([])
    })
  }
})

describe('runs of one version share its stored definition', () => {
  it('an engine opening many runs of one version reads its definition from the store once', async () => {
    const store = memoryStore()
    const { engine, clock } = testEngine({ store })
    await engine.register(
      def({ ask: { action: 'approval', params: { title: 'ok?', levels: [{ approvers: ['ann'] }] } } }),
    )
    for (let i = 0; i < 20; i++) await engine.start('wf')
    await engine.idle()
    await engine.close()

    const counted = countedStore(store)
    const { engine: reopened } = testEngine({ store: counted.store, clock, recover: true })
    await reopened.idle()
    expect(await reopened.listApprovals({ status: 'open' })).toHaveLength(20)
    // Recovery looks at the 20 waiting runs at once: the first read is shared, not made 20 times.
    expect(counted.calls.getDefinition).toBe(1)
    await reopened.close()
  })
})
