import type { IdbConnection } from './idb-connection'
import type { SecretStore } from './ports/secret-store'
import { newSecretKey, openSecret, sealSecret } from './secret-cipher'
import { toStorageError } from './to-storage-error'

/** The id of the secrets' key in the `keys` object store. */
export const SECRET_KEY_ID = 'secrets'

/**
 * The `SecretStore` of an IndexedDB database: the `secrets` object store, keyed by name, holds
 * `{ name, iv, data }` (AES-GCM ciphertext); the `keys` object store holds the database's one
 * non-extractable `CryptoKey`, made on first use.
 */
export function idbSecretStore(db: IdbConnection, database: string): SecretStore {
  /**
   * The database's key. WebCrypto cannot run inside a transaction (it would end while waiting),
   * so a key is made first and added only if the database still has none: two tabs making one
   * at once both end up with the one that was stored first.
   */
  const keyOf = async (): Promise<CryptoKey> => {
    const stored = await db.read('getSecretKey', ['keys'], (tx) => tx.objectStore('keys').get(SECRET_KEY_ID))
    if (stored) return stored.key
    const made = await newSecretKey().catch((error: unknown) => {
      throw toStorageError(error, database, 'putSecret')
    })
    return db.write('putSecretKey', ['keys'], async (tx) => {
      const keys = tx.objectStore('keys')
      const first = await keys.get(SECRET_KEY_ID)
      if (first) return first.key
      await keys.add({ id: SECRET_KEY_ID, key: made })
      return made
    })
  }

  return {
    async getSecret(name: string): Promise<string | undefined> {
      const found = await db.read('getSecret', ['secrets', 'keys'], async (tx) => {
        const record = await tx.objectStore('secrets').get(name)
        return record && { record, key: (await tx.objectStore('keys').get(SECRET_KEY_ID))?.key }
      })
      if (!found) return undefined
      // A record without a key cannot be opened: openSecret reports it as undecryptable.
      return openSecret(found.key ?? (await keyOf()), found.record, database)
    },

    async putSecret(name: string, value: string): Promise<void> {
      const key = await keyOf()
      const record = await sealSecret(key, name, value).catch((error: unknown) => {
        throw toStorageError(error, database, 'putSecret')
      })
      await db.write('putSecret', ['secrets'], async (tx) => {
        await tx.objectStore('secrets').put(record)
      })
    },

    deleteSecret(name: string): Promise<boolean> {
      return db.write('deleteSecret', ['secrets'], async (tx) => {
        const secrets = tx.objectStore('secrets')
        if ((await secrets.getKey(name)) === undefined) return false
        await secrets.delete(name)
        return true
      })
    },

    async listSecrets(): Promise<string[]> {
      const names = await db.read('listSecrets', ['secrets'], (tx) => tx.objectStore('secrets').getAllKeys())
      return names.sort()
    },
  }
}
