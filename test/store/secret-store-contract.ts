import type { Store } from 'spindle'
import { describe, expect, it } from 'vitest'

/** The `SecretStore` behaviour every store shows: values in and out, names listed, deletes. */
export function secretStoreContract(store: () => Store): void {
  describe('SecretStore', () => {
    it('gives back what was put, replaced by a later put, and nothing for an unknown name', async () => {
      expect(await store().getSecret('token')).toBeUndefined()
      await store().putSecret('token', 'first')
      expect(await store().getSecret('token')).toBe('first')
      await store().putSecret('token', 'sëcond ✓')
      expect(await store().getSecret('token')).toBe('sëcond ✓')
      await store().putSecret('empty', '')
      expect(await store().getSecret('empty')).toBe('')
    })

    it('lists names only, sorted, and forgets a deleted secret', async () => {
      for (const name of ['b', 'a', 'c']) await store().putSecret(name, `value of ${name}`)
      expect(await store().listSecrets()).toEqual(['a', 'b', 'c'])
      expect(await store().deleteSecret('b')).toBe(true)
      expect(await store().deleteSecret('b')).toBe(false)
      expect(await store().listSecrets()).toEqual(['a', 'c'])
      expect(await store().getSecret('b')).toBeUndefined()
      expect(await store().getSecret('a')).toBe('value of a')
    })

    it('keeps secrets apart from runs: putting one touches no other port', async () => {
      await store().putSecret('token', 's3cr3t')
      expect(await store().listRuns({})).toEqual([])
      expect(await store().listDefinitions()).toEqual([])
    })
  })
}
