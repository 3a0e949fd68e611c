import type { BuiltinSecrets } from '../actions/builtin-context'

/**
 * The engine's secrets, by name: what actions read through `ctx.secrets`.
 *
 * @example
 * const vault = new SecretVault({ token: 's3cr3t' })
 * await vault.get('token') // 's3cr3t'
 */
export class SecretVault implements BuiltinSecrets {
  readonly #values = new Map<string, string>()

  constructor(initial: Readonly<Record<string, string>> = {}) {
    for (const [name, value] of Object.entries(initial)) this.#values.set(name, value)
  }

  async get(name: string): Promise<string | undefined> {
    return this.#values.get(name)
  }

  /** `value` as it is: no param can hold a `secret('name')` reference yet. */
  async reveal<T>(value: T): Promise<T> {
    return value
  }
}
