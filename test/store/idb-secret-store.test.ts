import { openDB } from 'idb'
import { StorageError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { tempStores } from './temp-database'

/** Every record of object store `name`, read raw, as another script of the origin could. */
async function rawRecords(database: string, name: string): Promise<any[]> {
  const db = await openDB(database)
  try {
    const tx = db.transaction(name as never, 'readonly')
    const records = await tx.store.getAll()
    // Closed only once its transaction is over: a connection closing meanwhile blocks the deletion.
    await tx.done
    return records
  } finally {
    db.close()
  }
}

function contains(haystack: ArrayBuffer | Uint8Array, needle: string): boolean {
  const bytes = new Uint8Array(haystack instanceof Uint8Array ? haystack.buffer : haystack)
  const wanted = new TextEncoder().encode(needle)
  outer: for (let i = 0; i + wanted.length <= bytes.length; i++) {
    for (let j = 0; j < wanted.length; j++) if (bytes[i + j] !== wanted[j]) continue outer
    return true
  }
  return false
}

describe('indexedDbStore: secrets', () => {
  const temp = tempStores()

  it('stores only AES-GCM ciphertext, each value with its own random IV', async () => {
    const store = temp.open()
    await store.putSecret('a', 'the same value')
    await store.putSecret('b', 'the same value')
    const [a, b] = await rawRecords(store.name, 'secrets')
    expect(Object.keys(a).sort()).toEqual(['data', 'iv', 'name'])
    expect(a.iv.byteLength).toBe(12)
    expect(Array.from(a.iv)).not.toEqual(Array.from(b.iv))
    expect(new Uint8Array(a.data)).not.toEqual(new Uint8Array(b.data))
    expect(contains(a.data, 'the same value')).toBe(false)
    expect(JSON.stringify([a, b])).not.toContain('the same value')
    expect(await store.getSecret('b')).toBe('the same value')
  })

  it('keeps one non-extractable CryptoKey per database, which no script can export', async () => {
    const store = temp.open()
    await store.putSecret('token', 's3cr3t')
    const keys = await rawRecords(store.name, 'keys')
    expect(keys).toHaveLength(1)
    const { key } = keys[0]
    expect(key).toBeInstanceOf(CryptoKey)
    expect(key.extractable).toBe(false)
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 })
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
  })

  it('two tabs that store their first secrets at once end up with one key, and read each other', async () => {
    const tabA = temp.open()
    const tabB = temp.open(tabA.name)
    await Promise.all([tabA.putSecret('a', 'from A'), tabB.putSecret('b', 'from B')])
    expect(await rawRecords(tabA.name, 'keys')).toHaveLength(1)
    expect(await tabA.getSecret('b')).toBe('from B')
    expect(await tabB.getSecret('a')).toBe('from A')
    expect(await tabB.listSecrets()).toEqual(['a', 'b'])
  })

  it('refuses a record moved under another name with a StorageError, never the wrong value', async () => {
    const store = temp.open()
    await store.putSecret('a', 'value of a')
    const db = await openDB(store.name)
    const tx = db.transaction('secrets', 'readwrite')
    const record = await tx.store.get('a')
    await tx.store.put({ ...record, name: 'b' })
    await tx.done
    db.close()
    const error = await store.getSecret('b').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StorageError)
    expect((error as StorageError).message).toContain('"b"')
    expect((error as StorageError).message).not.toContain('value of a')
  })
})
