/**
 * The secrets port: named secret values, kept encrypted at rest (AES-GCM under a key the store
 * cannot export). Plain values go in and come out; only ciphertext is ever stored.
 */
export interface SecretStore {
  /** The value of secret `name`, decrypted; `undefined` when there is none. */
  getSecret(name: string): Promise<string | undefined>
  /** Stores `value` under `name`, encrypted with a fresh IV; replaces an earlier value. */
  putSecret(name: string, value: string): Promise<void>
  /** Deletes secret `name`; resolves to whether there was one. */
  deleteSecret(name: string): Promise<boolean>
  /** The names of every secret, sorted. Never reads a value. */
  listSecrets(): Promise<string[]>
}

/** A secret as stored: its name, the IV it was encrypted with, and the AES-GCM ciphertext. */
export interface SecretRecord {
  name: string
  iv: Uint8Array<ArrayBuffer>
  data: ArrayBuffer
}
