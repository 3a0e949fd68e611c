import { compileWorkflow } from '../definition/compile'
import { loadDefinition } from '../definition/load'
import { DefinitionError, InvalidStateError, NotFoundError } from '../errors'
import type { Store, StoredDefinition } from '../store/store'
import type {
  CompiledWorkflow,
  DefinitionInfo,
  EngineOptions,
  ValidationResult,
  WorkflowDefinition,
} from '../types'
import { definitionInfo } from '../engine/engine-arguments'

/**
 * The engine's definitions: validated and stored through the store, compiled once per version
 * (versions are immutable: registering one again with other content is refused, because runs
 * are pinned to the version they started on).
 */
export class DefinitionRegistry {
  readonly #store: Store
  readonly #actions: () => ReadonlySet<string>
  readonly #defaults: EngineOptions['defaults']
  readonly #now: () => number
  readonly #compiled = new Map<string, CompiledWorkflow>()

  constructor(options: {
    store: Store
    actions: () => ReadonlySet<string>
    defaults: EngineOptions['defaults']
    now: () => number
  }) {
    this.#store = options.store
    this.#actions = options.actions
    this.#defaults = options.defaults
    this.#now = options.now
  }

  validate(definition: unknown): ValidationResult {
    const loaded = loadDefinition(definition, { actions: this.#actions() })
    return { ok: loaded.ok, issues: loaded.issues }
  }

  async register(definition: unknown): Promise<DefinitionInfo> {
    const loaded = loadDefinition(definition, { actions: this.#actions() })
    if (!loaded.ok) throw new DefinitionError(loaded.issues, { value: definition })
    const def = loaded.definition
    // Compiled once per version, here rather than on the first start.
    this.compile(def)
    const existing = await this.#store.getDefinition(def.id, def.version)
    if (existing) {
      if (JSON.stringify(existing.definition) === JSON.stringify(def)) return definitionInfo(existing)
      throw new DefinitionError([
        {
          path: 'version',
          code: 'version_exists',
          message: `Version ${def.version} of "${def.id}" is registered with other content; runs are pinned to it. Bump the version.`,
        },
      ])
    }
    const record: StoredDefinition = {
      id: def.id,
      version: def.version,
      name: def.name,
      description: def.description,
      schemaVersion: def.schemaVersion,
      migratedFrom: loaded.migratedFrom,
      registeredAt: this.#now(),
      definition: def,
    }
    await this.#store.putDefinition(record)
    return definitionInfo(record)
  }

  async get(id: string, version?: string): Promise<WorkflowDefinition | undefined> {
    return (await this.#store.getDefinition(id, version))?.definition
  }

  async list(): Promise<DefinitionInfo[]> {
    return (await this.#store.listDefinitions()).map(definitionInfo)
  }

  async delete(id: string, version?: string): Promise<void> {
    const active = await this.#store.listRuns({
      definitionId: id,
      status: ['queued', 'running', 'paused', 'failed'],
    })
    const pinned = active.filter((r) => version === undefined || r.version === version)
    if (pinned.length > 0) {
      throw new InvalidStateError(
        `Cannot delete "${id}"${version ? `@${version}` : ''}: ${pinned.length} unfinished run(s) use it (e.g. ${pinned[0]!.runId}). Cancel them first.`,
        { value: { id, version } },
      )
    }
    for (const key of this.#compiled.keys()) {
      if (key === `${id}@${version}` || (version === undefined && key.startsWith(`${id}@`)))
        this.#compiled.delete(key)
    }
    if ((await this.#store.deleteDefinition(id, version)) === 0) {
      throw new NotFoundError(`No definition "${id}"${version ? ` version ${version}` : ''} is registered.`, {
        value: { id, version },
      })
    }
  }

  /** The compiled version a new run starts on: the one asked for, or the highest registered. */
  async forStart(id: string, version?: string): Promise<{ wf: CompiledWorkflow; version: string }> {
    // Versions are immutable: a compiled one is all a start needs, without reading it again.
    const chosen = version ?? (await this.#store.latestVersion(id))
    const known = chosen === undefined ? undefined : this.#compiled.get(`${id}@${chosen}`)
    const stored = known || chosen === undefined ? undefined : await this.#store.getDefinition(id, chosen)
    const wf = known ?? (stored && this.compile(stored.definition))
    if (!wf || chosen === undefined) {
      throw new NotFoundError(
        `No definition "${id}"${version ? ` version ${version}` : ''} is registered; register it first.`,
        { value: id },
      )
    }
    return { wf, version: chosen }
  }

  compile(def: WorkflowDefinition): CompiledWorkflow {
    const key = `${def.id}@${def.version}`
    let wf = this.#compiled.get(key)
    if (!wf) {
      wf = compileWorkflow(def, this.#defaults)
      this.#compiled.set(key, wf)
    }
    return wf
  }

  compiled(key: string): CompiledWorkflow | undefined {
    return this.#compiled.get(key)
  }
}
