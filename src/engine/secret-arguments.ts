import { SECRET_NAME } from '../definition/secret-reference'
import { ArgumentError } from '../errors'

/** The largest secret value, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 64 * 1024

/**
 * A secret's name: an identifier-like string of 1–100 characters. A bad one is described, never
 * quoted: with the arguments swapped, it would be the value.
 */
export function checkSecretName(call: string, name: unknown): asserts name is string {
  if (typeof name === 'string' && SECRET_NAME.test(name)) return
  throw new ArgumentError(
    `${call}: a secret's name must be 1 to 100 letters, digits, "_", "." or "-", starting with a letter or "_" (like "API_TOKEN"); got ${shape(name)}. Is the name first and the value second?`,
  )
}

/** A secret's value: a string of at most 64 KB. Never quoted in the error. */
export function checkSecretValue(call: string, value: unknown): asserts value is string {
  if (typeof value === 'string') {
    const bytes = new TextEncoder().encode(value).length
    if (bytes <= MAX_SECRET_BYTES) return
    throw new ArgumentError(
      `${call}: a secret's value may hold at most ${MAX_SECRET_BYTES} bytes (UTF-8); got ${bytes}. Keep large data elsewhere and store its key as the secret.`,
    )
  }
  throw new ArgumentError(`${call}: a secret's value must be a string; got ${shape(value)}.`)
}

/** `EngineOptions.secrets`: an object of values by name, each checked as `setSecret` checks it. */
export function checkSecretsOption(secrets: unknown): void {
  if (secrets === undefined) return
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new ArgumentError(
      `createEngine: "secrets" must be an object of secret values by name, like { API_TOKEN: '…' }; got ${shape(secrets)}.`,
    )
  }
  for (const [name, value] of Object.entries(secrets)) {
    checkSecretName('createEngine: secrets', name)
    checkSecretValue(`createEngine: secrets.${name}`, value)
  }
}

/** What a value is, without what it says: its type, and a string's length. */
function shape(value: unknown): string {
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : `a string of ${value.length} characters`
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}
