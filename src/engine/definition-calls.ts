import type { DefinitionRegistry } from '../host/definition-registry'
import type { EngineScope } from '../host/engine-scope'
import { type InstantiateAs, templateDefinition } from '../templates/catalog'
import type { DefinitionInfo, ValidationResult, WorkflowDefinition } from '../types'
import { type Access, definitionIdOf } from './access'
import { checkId } from './engine-arguments'

/** What the engine's definition calls need. */
export interface DefinitionCallsContext {
  readonly definitions: DefinitionRegistry
  readonly access: Access
  readonly scope: EngineScope
}

/**
 * The engine's calls about definitions (`validate`, `register`, `getDefinition`,
 * `listDefinitions`, `deleteDefinition`). Those that change the registry ask `authorize` first
 * and change nothing once the engine is closing.
 */
export class DefinitionCalls {
  readonly #ctx: DefinitionCallsContext

  constructor(ctx: DefinitionCallsContext) {
    this.#ctx = ctx
  }

  /** See `Engine.validate`. */
  validate(definition: unknown): ValidationResult {
    return this.#ctx.definitions.validate(definition)
  }

  /**
   * See `Engine.register`. `acting`: the calling principal. It is never a parameter of a public
   * method: a caller (or a page, through the worker) could name any principal with it. Only
   * `as()` passes one.
   */
  async register(definition: unknown, acting: string | undefined): Promise<DefinitionInfo> {
    const { access, scope } = this.#ctx
    scope.check()
    if (access.asks) {
      await access.check({ principal: acting, verb: 'register', definitionId: definitionIdOf(definition) })
      scope.check()
    }
    return this.#ctx.definitions.register(definition)
  }

  /** See `Engine.instantiate`: the template's definition, registered as `register` does. */
  async instantiate(
    templateId: string,
    params: Record<string, unknown>,
    as: InstantiateAs | undefined,
    acting: string | undefined,
  ): Promise<DefinitionInfo> {
    this.#ctx.scope.check()
    return this.register(templateDefinition(templateId, params, as), acting)
  }

  /** See `Engine.getDefinition`. */
  async get(id: string, version?: string): Promise<WorkflowDefinition | undefined> {
    checkId('definition id', id)
    return this.#ctx.definitions.get(id, version)
  }

  /** See `Engine.listDefinitions`. */
  async list(): Promise<DefinitionInfo[]> {
    return this.#ctx.definitions.list()
  }

  /** See `Engine.deleteDefinition`; `acting` as for `register`. */
  async delete(id: string, version: string | undefined, acting: string | undefined): Promise<void> {
    const { access, scope } = this.#ctx
    scope.check()
    checkId('definition id', id)
    if (access.asks) {
      await access.check({ principal: acting, verb: 'deleteDefinition', definitionId: id })
      scope.check()
    }
    await this.#ctx.definitions.delete(id, version)
  }
}
