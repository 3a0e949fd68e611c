import type { DefinitionStore } from 'spindle'
import { beforeEach, describe, expect, it } from 'vitest'
import { definitionRecord } from './store-fixtures'

/**
 * The behaviour every `DefinitionStore` must show. `current` hands each test the fresh, empty
 * store that the caller's `beforeEach` made.
 */
export function definitionStoreContract(current: () => DefinitionStore): void {
  describe('DefinitionStore', () => {
    let store: DefinitionStore
    beforeEach(() => {
      store = current()
    })

    it('stores a definition and reads it back by version', async () => {
      await store.putDefinition(definitionRecord('order', '1.0.0'))
      expect(await store.getDefinition('order', '1.0.0')).toEqual(definitionRecord('order', '1.0.0'))
      expect(await store.getDefinition('order', '9.9.9')).toBeUndefined()
      expect(await store.getDefinition('missing')).toBeUndefined()
    })

    it('picks the highest semver version when none is given, not the highest string', async () => {
      for (const v of ['1.9.0', '1.10.0', '1.10.0-beta.2', '0.20.0']) {
        await store.putDefinition(definitionRecord('order', v))
      }
      await store.putDefinition(definitionRecord('orders', '5.0.0'))
      await store.putDefinition(definitionRecord('orde', '7.0.0'))
      expect((await store.getDefinition('order'))?.version).toBe('1.10.0')
      expect(await store.latestVersion('order')).toBe('1.10.0')
      await store.putDefinition(definitionRecord('order', '2.0.0-rc.1'))
      expect((await store.getDefinition('order'))?.version).toBe('2.0.0-rc.1')
      expect(await store.latestVersion('order')).toBe('2.0.0-rc.1')
      expect(await store.latestVersion('missing')).toBeUndefined()
    })

    it('refuses a definition put again under the same id and version, and keeps the first', async () => {
      await store.putDefinition(definitionRecord('order', '1.0.0', 1))
      await expect(store.putDefinition(definitionRecord('order', '1.0.0', 2))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        value: { id: 'order', version: '1.0.0' },
      })
      expect((await store.getDefinition('order', '1.0.0'))?.registeredAt).toBe(1)
      expect(await store.listDefinitions()).toHaveLength(1)
    })

    it('of two puts of one new version at once, stores exactly one and refuses the other', async () => {
      const first = { ...definitionRecord('order', '1.0.0', 1), name: 'first' }
      const second = { ...definitionRecord('order', '1.0.0', 2), name: 'second' }
      const results = await Promise.allSettled([store.putDefinition(first), store.putDefinition(second)])
      const refused = results.filter((r) => r.status === 'rejected')
      expect(refused).toHaveLength(1)
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'INVALID_ARGUMENT' })
      const winner = results[0]!.status === 'fulfilled' ? first : second
      expect(await store.getDefinition('order', '1.0.0')).toEqual(winner)
    })

    it('lists every version of every definition', async () => {
      await store.putDefinition(definitionRecord('order', '1.0.0'))
      await store.putDefinition(definitionRecord('order', '1.1.0'))
      await store.putDefinition(definitionRecord('refund', '1.0.0'))
      const listed = (await store.listDefinitions()).map((d) => `${d.id}@${d.version}`)
      expect(listed.sort()).toEqual(['order@1.0.0', 'order@1.1.0', 'refund@1.0.0'])
    })

    it('deletes one version, or every version, and counts what it deleted', async () => {
      for (const v of ['1.0.0', '1.1.0', '2.0.0']) await store.putDefinition(definitionRecord('order', v))
      await store.putDefinition(definitionRecord('orders', '1.0.0'))
      expect(await store.deleteDefinition('order', '1.1.0')).toBe(1)
      expect(await store.getDefinition('order', '1.1.0')).toBeUndefined()
      expect(await store.deleteDefinition('order', '1.1.0')).toBe(0)
      expect(await store.deleteDefinition('order')).toBe(2)
      expect(await store.getDefinition('order')).toBeUndefined()
      expect(await store.deleteDefinition('order')).toBe(0)
      expect((await store.listDefinitions()).map((d) => d.id)).toEqual(['orders'])
    })

    it('keeps what was stored when the caller mutates its record afterwards', async () => {
      const definition = definitionRecord('order', '1.0.0')
      await store.putDefinition(definition)
      definition.definition.tasks.a!.action = 'changed'
      expect((await store.getDefinition('order'))?.definition.tasks.a?.action).toBe('noop')
    })

    it('hands out copies: mutating what it read does not change the store', async () => {
      await store.putDefinition(definitionRecord('order', '1.0.0'))
      ;(await store.getDefinition('order'))!.definition.tasks.a!.action = 'changed'
      ;(await store.getDefinition('order', '1.0.0'))!.name = 'changed'
      ;(await store.listDefinitions())[0]!.version = '9.9.9'
      expect(await store.getDefinition('order')).toEqual(definitionRecord('order', '1.0.0'))
      expect(await store.latestVersion('order')).toBe('1.0.0')
    })
  })
}
