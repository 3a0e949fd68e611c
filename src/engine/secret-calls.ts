import type { EngineScope } from '../host/engine-scope'
import type { SecretVault } from '../host/secret-vault'
import type { Access } from './access'
import { checkSecretName, checkSecretValue } from './secret-arguments'

/** What the engine's secret calls need. */
export interface SecretCallsContext {
  readonly secrets: SecretVault
  readonly access: Access
  readonly scope: EngineScope
}

/**
 * The engine's calls about secrets (`setSecret`, `deleteSecret`, `listSecrets`). The two that
 * change something ask `authorize` first; every one is refused with `ENGINE_CLOSED` once the
 * engine is closing, and `close()` waits for a write in flight.
 */
export class SecretCalls {
  readonly #ctx: SecretCallsContext

  constructor(ctx: SecretCallsContext) {
    this.#ctx = ctx
  }

  /** See `Engine.setSecret`; `acting`: the calling principal (only `as()` passes one). */
  async set(name: unknown, value: unknown, acting: string | undefined): Promise<void> {
    const { access, scope, secrets } = this.#ctx
    scope.check()
    checkSecretName('setSecret', name)
    checkSecretValue('setSecret', value)
    if (access.asks) {
      await access.check({ principal: acting, verb: 'setSecret', secret: name })
      scope.check()
    }
    await scope.run(() => secrets.put(name, value))
  }

  /** See `Engine.deleteSecret`; `acting` as for `set`. */
  async delete(name: unknown, acting: string | undefined): Promise<void> {
    const { access, scope, secrets } = this.#ctx
    scope.check()
    checkSecretName('deleteSecret', name)
    if (access.asks) {
      await access.check({ principal: acting, verb: 'deleteSecret', secret: name })
      scope.check()
    }
    await scope.run(() => secrets.delete(name))
  }

  /** See `Engine.listSecrets`. */
  async list(): Promise<string[]> {
    const { scope, secrets } = this.#ctx
    return scope.run(() => secrets.list())
  }
}
