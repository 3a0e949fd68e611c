import type { SecretRecord, SecretStore } from './ports/secret-store'
import { newSecretKey, openSecret, sealSecret } from './secret-cipher'

/**
 * The `SecretStore` of a memory store: ciphertext in a map, under a key of this store made on
 * first use, so a heap snapshot or a debugger shows no stored value in the clear.
 */
export function memorySecretStore(name: string): SecretStore {
  const records = new Map<string, SecretRecord>()
  let key: Promise<CryptoKey> | undefined
  const keyOf = () => {
    key ??= newSecretKey()
    return key
  }
  return {
    async getSecret(secret: string): Promise<string | undefined> {
      const record = records.get(secret)
      return record && openSecret(await keyOf(), record, name)
    },

    async putSecret(secret: string, value: string): Promise<void> {
      records.set(secret, await sealSecret(await keyOf(), secret, value))
    },

    async deleteSecret(secret: string): Promise<boolean> {
      return records.delete(secret)
    },

    async listSecrets(): Promise<string[]> {
      return [...records.keys()].sort()
    },
  }
}
