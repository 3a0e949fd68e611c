import {
  type AccessRequest,
  ArgumentError,
  EngineClosedError,
  ForbiddenError,
  memoryStore,
  StorageError,
  type Store,
} from 'spindle'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { faultyStore } from '../store/faulty-store'
import { tempStores } from '../store/temp-database'
import { def, testEngines, until } from '../support/engine-fixtures'

/** An action that reads secret `params.name` and tells its length, never the value. */
const readLength = {
  async call(params: { name: string }, ctx: { secrets: { get(name: string): Promise<string | undefined> } }) {
    const value = await ctx.secrets.get(params.name)
    return { length: value?.length ?? null }
  },
}

/** `store` with its `putSecret` calls held until `release()`: a slow first write of the secrets. */
function heldSecretWrites(store: Store) {
  const held: (() => void)[] = []
  const wrapped = new Proxy(store, {
    get(target, key) {
      if (key === 'putSecret') {
        return async (name: string, value: string) => {
          await new Promise<void>((resolve) => held.push(resolve))
          return target.putSecret(name, value)
        }
      }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const release = () => {
    for (const go of held.splice(0)) go()
  }
  return { store: wrapped, held, release }
}

describe('secrets', () => {
  const testEngine = testEngines()
  const temp = tempStores()

  it('an action reads a secret of EngineOptions.secrets by name through ctx.secrets', async () => {
    const { engine } = testEngine({
      secrets: { token: 's3cr3t' },
      actions: {
        call: async (_params: unknown, ctx) => {
          const token = await ctx.secrets.get('token')
          const missing = await ctx.secrets.get('nope')
          return { length: token?.length, missing: missing === undefined }
        },
      },
    })
    await engine.register(def({ a: { action: 'call' } }))
    const { runId } = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(runId))!.tasks.a!.output).toEqual({ length: 6, missing: true })
  })

  it('setSecret stores a secret that actions read, listSecrets lists names sorted, deleteSecret removes it', async () => {
    const { engine } = testEngine({ actions: { read: readLength.call } })
    await engine.register(def({ a: { action: 'read', params: { name: 'b_token' } } }))
    await engine.setSecret('b_token', 'value-1234')
    await engine.setSecret('a.key', 'other')
    expect(await engine.listSecrets()).toEqual(['a.key', 'b_token'])
    const first = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(first.runId))!.tasks.a!.output).toEqual({ length: 10 })
    await engine.deleteSecret('b_token')
    await engine.deleteSecret('b_token')
    expect(await engine.listSecrets()).toEqual(['a.key'])
    const second = await engine.start('wf')
    await engine.idle()
    expect((await engine.getRun(second.runId))!.tasks.a!.output).toEqual({ length: null })
  })

  it('refuses a bad name or value with an ArgumentError that never quotes the value, storing nothing', async () => {
    const { engine } = testEngine()
    const value = 'sk-live-0123456789abcdef'
    const refusals = [
      engine.setSecret('', value),
      engine.setSecret('has space', value),
      engine.setSecret('9lives', value),
      engine.setSecret('x'.repeat(101), value),
      engine.setSecret(value.replace(/-/g, ' '), 'API_KEY'),
      engine.setSecret('token', 42 as never),
      engine.setSecret('token', 'x'.repeat(64 * 1024 + 1)),
      engine.setSecret(undefined as never, value),
      engine.deleteSecret('bad name'),
    ]
    for (const refusal of refusals) {
      const error = await refusal.then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(ArgumentError)
      const { message } = error as ArgumentError
      expect(message).not.toContain(value)
      expect(message).not.toContain('sk live')
      expect(JSON.stringify(error)).not.toContain(value)
    }
    expect(await engine.listSecrets()).toEqual([])
    await engine.setSecret('x'.repeat(100), 'é'.repeat(32 * 1024))
    expect(await engine.listSecrets()).toEqual(['x'.repeat(100)])
  })

  it('ctx.secrets.get with a name that is no secret name fails the task with INVALID_ARGUMENT, not a storage error', async () => {
    const { engine } = testEngine({
      store: temp.open(),
      defaults: { retry: { maxAttempts: 1 } },
      actions: { read: async (params: { name: unknown }, ctx) => ctx.secrets.get(params.name as string) },
    })
    await engine.register(def({ a: { action: 'read', params: { name: { not: 'a name' } } } }))
    const { runId } = await engine.start('wf')
    expect((await engine.wait(runId)).tasks.a!.error).toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('refuses bad EngineOptions.secrets at createEngine, never quoting a value', async () => {
    const value = 'sk-live-0123456789abcdef'
    for (const secrets of [[value], { 'bad name': value }, { token: 42 }, 'token']) {
      expect(() => testEngine({ secrets: secrets as never })).toThrow(ArgumentError)
      try {
        testEngine({ secrets: secrets as never })
      } catch (error) {
        expect((error as Error).message).not.toContain(value)
      }
    }
  })

  it('asks authorize about setSecret and deleteSecret (not listSecrets); a refusal changes nothing', async () => {
    const asked: AccessRequest[] = []
    const { engine } = testEngine({
      authorize: (request) => {
        asked.push(request)
        return request.principal === 'admin'
      },
    })
    await engine.as('admin').setSecret('token', 'first')
    await expect(engine.as('eve').setSecret('token', 'evil')).rejects.toBeInstanceOf(ForbiddenError)
    await expect(engine.setSecret('other', 'evil')).rejects.toBeInstanceOf(ForbiddenError)
    await expect(engine.as('eve').deleteSecret('token')).rejects.toBeInstanceOf(ForbiddenError)
    expect(await engine.as('eve').listSecrets()).toEqual(['token'])
    await engine.as('admin').deleteSecret('token')
    expect(await engine.listSecrets()).toEqual([])
    expect(asked).toEqual([
      { principal: 'admin', verb: 'setSecret', secret: 'token' },
      { principal: 'eve', verb: 'setSecret', secret: 'token' },
      { verb: 'setSecret', secret: 'other' },
      { principal: 'eve', verb: 'deleteSecret', secret: 'token' },
      { principal: 'admin', verb: 'deleteSecret', secret: 'token' },
    ])
  })

  it('a closed engine refuses setSecret, deleteSecret and listSecrets with ENGINE_CLOSED', async () => {
    const { engine, store } = testEngine()
    await engine.setSecret('token', 'before')
    await engine.close()
    for (const call of [
      engine.setSecret('token', 'after'),
      engine.deleteSecret('token'),
      engine.listSecrets(),
    ]) {
      await expect(call).rejects.toBeInstanceOf(EngineClosedError)
    }
    expect(await store.getSecret('token')).toBe('before')
  })

  it('close() waits for a setSecret in flight: it is stored before close resolves', async () => {
    const inner = testEngine().store
    const slow = heldSecretWrites(inner)
    const { engine } = testEngine({ store: slow.store })
    const setting = engine.setSecret('token', 'kept')
    await until(() => slow.held.length === 1)
    const closing = engine.close()
    let closed = false
    void closing.then(() => {
      closed = true
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(closed).toBe(false)
    slow.release()
    await setting
    await closing
    expect(await inner.getSecret('token')).toBe('kept')
  })

  it('EngineOptions.secrets are stored encrypted at start; a task reading one while that write is in flight sees it', async () => {
    const slow = heldSecretWrites(temp.open())
    const { engine } = testEngine({
      store: slow.store,
      secrets: { token: 'from-options' },
      actions: { read: readLength.call },
    })
    await engine.register(def({ a: { action: 'read', params: { name: 'token' } } }))
    const { runId } = await engine.start('wf')
    await until(() => slow.held.length === 1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect((await engine.getRun(runId))!.tasks.a!.status).toBe('running')
    slow.release()
    expect((await engine.wait(runId)).tasks.a!.output).toEqual({ length: 'from-options'.length })
    // A second engine on the database, without the option, finds it stored.
    const again = testEngine({ store: temp.open(slow.store.name) }).engine
    expect(await again.listSecrets()).toEqual(['token'])
  })

  it("an engine sees another tab's setSecret and deleteSecret on the same database at once", async () => {
    const tabA = testEngine({ store: temp.open(), actions: { read: readLength.call } }).engine
    const tabB = testEngine({ store: temp.open(tabA.storeName) }).engine
    await tabA.register(def({ a: { action: 'read', params: { name: 'token' } } }))
    await tabB.setSecret('token', 'set-in-b')
    const first = await tabA.start('wf')
    expect((await tabA.wait(first.runId)).tasks.a!.output).toEqual({ length: 8 })
    await tabB.setSecret('token', 'changed-in-b')
    const second = await tabA.start('wf')
    expect((await tabA.wait(second.runId)).tasks.a!.output).toEqual({ length: 12 })
    await tabB.deleteSecret('token')
    const third = await tabA.start('wf')
    expect((await tabA.wait(third.runId)).tasks.a!.output).toEqual({ length: null })
  })
  describe('when EngineOptions.secrets cannot be stored', () => {
    afterEach(() => {
      vi.restoreAllMocks()
    })

    it('reports it, and tasks that read a secret fail with STORAGE_FAILED instead of running without it', async () => {
      const reported: unknown[] = []
      vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
      const store = faultyStore(memoryStore(), { method: 'putSecret' })
      const { engine } = testEngine({
        store,
        secrets: { token: 'from-options' },
        defaults: { retry: { maxAttempts: 1 } },
        actions: { read: readLength.call },
      })
      await engine.register(def({ a: { action: 'read', params: { name: 'token' } } }))
      await engine.idle()
      expect(reported).toHaveLength(1)
      expect(reported[0]).toBeInstanceOf(StorageError)
      expect((reported[0] as Error).message).not.toContain('from-options')
      const { runId } = await engine.start('wf')
      const view = await engine.wait(runId)
      expect(view.tasks.a!.error).toMatchObject({ code: 'STORAGE_FAILED' })
      expect(view.tasks.a!.error!.message).toContain('EngineOptions.secrets could not be stored')
    })

    it('a custom store written before the SecretStore port: createEngine still works, the failure is reported', async () => {
      const reported: unknown[] = []
      vi.spyOn(globalThis, 'reportError').mockImplementation((error) => reported.push(error))
      const { putSecret: _put, getSecret: _get, ...older } = memoryStore()
      const { engine } = testEngine({ store: older as Store, secrets: { token: 'from-options' } })
      await engine.idle()
      expect(reported).toHaveLength(1)
      expect(reported[0]).toBeInstanceOf(StorageError)
    })
  })
})
