import { StorageError } from '../errors'
import type { SecretRecord } from './ports/secret-store'

const KEY_ALGORITHM = { name: 'AES-GCM', length: 256 } as const
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * A new AES-GCM key that cannot be exported: its bytes never reach script, and a structured
 * clone of it (IndexedDB keeps it so) stays non-extractable.
 */
export function newSecretKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey(KEY_ALGORITHM, false, ['encrypt', 'decrypt'])
}

/**
 * `value` encrypted under `key` with a fresh random IV. The name is bound as additional data,
 * so a record copied under another name fails to decrypt instead of revealing the wrong secret.
 */
export async function sealSecret(key: CryptoKey, name: string, value: string): Promise<SecretRecord> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(name) },
    key,
    encoder.encode(value),
  )
  return { name, iv, data }
}

/**
 * The value of a sealed secret. A record that does not decrypt (altered, moved, or sealed under
 * another key) is a `StorageError` naming the secret, never a wrong value.
 */
export async function openSecret(key: CryptoKey, record: SecretRecord, database: string): Promise<string> {
  let plain: ArrayBuffer
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: record.iv, additionalData: encoder.encode(record.name) },
      key,
      record.data,
    )
  } catch (error) {
    throw new StorageError(
      `Secret "${record.name}" of database "${database}" cannot be decrypted: its record was altered or sealed under another key. Set it again with engine.setSecret("${record.name}", value).`,
      { value: record.name, cause: error },
    )
  }
  return decoder.decode(plain)
}
