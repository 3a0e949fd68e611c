import { machineFor } from '../core/run-machine'
import { canonicalJson } from '../definition/canonical-json'
import { compileWorkflow } from '../definition/compile'
import { definitionDigest } from '../definition/definition-digest'
import { loadDefinition } from '../definition/load'
import { DefinitionError, InvalidStateError, NotFoundError } from '../errors'
import { prepareViews } from '../runtime/run-view'
import { FORMAT_VERSION } from '../store/ports/format-version'
import type { RunRecord, Store, StoredDefinition } from '../store/store'
import type {
  CompiledWorkflow,
  DefinitionInfo,
  EngineDefaults,
  ValidationResult,
  WorkflowDefinition,
} from '../types'
import { checkRunDefinition } from './run-definition-check'

/**
 * The engine's definitions: validated and stored through the store, compiled once per version
 * (versions are immutable: registering one again with other content is refused, because runs
 * are pinned to the version they started on).
 */
export class DefinitionRegistry {
  readonly #store: Store
  readonly #actions: () => ReadonlySet<string>
  readonly #machines: ReadonlySet<string> | undefined
  readonly #aliases: ReadonlyMap<string, string> | undefined
  readonly #defaults: EngineDefaults | undefined
  readonly #now: () => number
  readonly #compiled = new Map<string, CompiledWorkflow>()
  /** Stored versions being read for runs (`forRun`): runs opened together share one read. */
  readonly #reading = new Map<string, Promise<StoredDefinition | undefined>>()

  constructor(options: {
    store: Store
    actions: () => ReadonlySet<string>
    /** The engine's machine names, which `state-machine` tasks may name. */
    machines?: ReadonlySet<string>
    /** `EngineOptions.actionAliases`: older definitions' step types → action names. */
    aliases?: ReadonlyMap<string, string>
    defaults: EngineDefaults | undefined
    now: () => number
  }) {
    this.#store = options.store
    this.#actions = options.actions
    this.#machines = options.machines
    this.#aliases = options.aliases
    this.#defaults = options.defaults
    this.#now = options.now
  }

  #loadOptions() {
    return { actions: this.#actions(), machines: this.#machines, aliases: this.#aliases }
  }

  validate(definition: unknown): ValidationResult {
    const loaded = loadDefinition(definition, this.#loadOptions())
    return { ok: loaded.ok, issues: loaded.issues }
  }

  async register(definition: unknown): Promise<DefinitionInfo> {
    const loaded = loadDefinition(definition, this.#loadOptions())
    if (!loaded.ok) throw new DefinitionError(loaded.issues, { value: definition })
    const def = loaded.definition
    // Compiled here rather than on the first start, but kept only once the store holds this
    // content: a refused register must not change what start() runs.
    const wf = compileWorkflow(def, this.#defaults)
    const existing = await this.#store.getDefinition(def.id, def.version)
    if (existing) return this.#sameAs(existing, def, wf, loaded.idFromName)
    const record: StoredDefinition = {
      id: def.id,
      version: def.version,
      name: def.name,
      description: def.description,
      schemaVersion: def.schemaVersion,
      migratedFrom: loaded.migratedFrom,
      formatVersion: FORMAT_VERSION,
      registeredAt: this.#now(),
      definition: def,
    }
    try {
      // The store adds a version only if it is absent: of two engines registering it at once,
      // the second learns of the first here instead of overwriting it.
      await this.#store.putDefinition(record)
    } catch (error) {
      const winner = await this.#store.getDefinition(def.id, def.version)
      if (!winner) throw error
      return this.#sameAs(winner, def, wf, loaded.idFromName)
    }
    this.#keep(wf)
    return definitionInfo(record)
  }

  /** Registering a stored version again: a no-op for the same content, refused for other content. */
  #sameAs(
    stored: StoredDefinition,
    def: WorkflowDefinition,
    wf: CompiledWorkflow,
    idFromName: string | undefined,
  ): DefinitionInfo {
    if (canonicalJson(stored.definition) !== canonicalJson(def)) {
      const issue =
        idFromName === undefined
          ? {
              path: 'version',
              code: 'version_exists',
              message: `Version ${def.version} of "${def.id}" is registered with other content; runs are pinned to it. Bump the version.`,
            }
          : {
              path: 'name',
              code: 'id_taken',
              message: `This definition has no "id", so its id "${def.id}" was made from its name ${JSON.stringify(idFromName)}; version ${def.version} of "${def.id}" is already registered with other content (another definition with the same name?). Give this one an id of its own, like "id": "${def.id}-2" (a-z, 0-9, ".", "_", "-"), or bump "version" if it is a new version of the same workflow.`,
            }
      throw new DefinitionError([issue], { value: { id: def.id, version: def.version } })
    }
    if (!this.#compiled.has(keyOf(def))) this.#keep(wf)
    return definitionInfo(stored)
  }

  async get(id: string, version?: string): Promise<WorkflowDefinition | undefined> {
    return (await this.#store.getDefinition(id, version))?.definition
  }

  async list(): Promise<DefinitionInfo[]> {
    return (await this.#store.listDefinitions()).map(definitionInfo)
  }

  /**
   * Deletes a version (or every version of `id`) that no run uses. A run, finished or not, reads
   * its version for `getRun`, `wait` and `progress$`, so a version with runs is kept.
   */
  async delete(id: string, version?: string): Promise<void> {
    await this.#refuseIfRunsUse(id, version)
    const doomed =
      version === undefined
        ? (await this.#store.listDefinitions()).filter((d) => d.id === id)
        : [await this.#store.getDefinition(id, version)].filter((d) => d !== undefined)
    for (const record of doomed) this.#compiled.delete(keyOf(record))
    if (doomed.length === 0 || (await this.#store.deleteDefinition(id, version)) === 0) {
      throw new NotFoundError(`No definition "${id}"${version ? ` version ${version}` : ''} is registered.`, {
        value: { id, version },
      })
    }
    // A start() in another engine may have read the version between the check and the delete:
    // its run would be unreadable, so such a delete is undone and refused.
    try {
      await this.#refuseIfRunsUse(id, version)
    } catch (refusal) {
      for (const record of doomed) await this.#store.putDefinition(record)
      throw refusal
    }
  }

  async #refuseIfRunsUse(id: string, version: string | undefined): Promise<void> {
    const runs = (await this.#store.listRuns({ definitionId: id })).filter(
      (r) => version === undefined || r.version === version,
    )
    if (runs.length === 0) return
    const versions = [...new Set(runs.map((r) => r.version))].sort().join(', ')
    throw new InvalidStateError(
      `Cannot delete "${id}"${version ? `@${version}` : ''}: ${runs.length} run(s) use it (version ${versions}; e.g. ${runs[0]!.runId}, ${runs[0]!.status}), and a run reads its version for getRun(), wait() and progress$ for as long as it is stored, finished or not. Leave this version registered; start() picks the highest version, so register a new one for new runs.`,
      { value: { id, version, runs: runs.length } },
    )
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
    const key = keyOf(def)
    let wf = this.#compiled.get(key)
    if (!wf) {
      wf = compileWorkflow(def, this.#defaults)
      this.#keep(wf)
    }
    return wf
  }

  /**
   * Keeps a compiled version, with what every run of it shares built now rather than by its
   * first run: the run machine and the templates of its views' task tables.
   * That is work per version, like the compilation, and register() is where a caller expects
   * to pay for it.
   */
  #keep(wf: CompiledWorkflow): void {
    machineFor(wf)
    definitionDigest(wf.definition)
    prepareViews(wf)
    this.#compiled.set(wf.key, wf)
  }

  /** The compiled version a stored run uses; refused when that version is no longer registered. */
  async forRun(
    record: Pick<RunRecord, 'runId' | 'definitionId' | 'version' | 'definitionDigest'>,
  ): Promise<CompiledWorkflow> {
    const key = `${record.definitionId}@${record.version}`
    const known = this.#compiled.get(key)
    if (known) return checkRunDefinition(record, known)
    let reading = this.#reading.get(key)
    if (reading === undefined) {
      reading = this.#store.getDefinition(record.definitionId, record.version)
      this.#reading.set(key, reading)
      // Gone once settled, either way: a failed read is tried again by the next run that asks.
      const forget = () => {
        if (this.#reading.get(key) === reading) this.#reading.delete(key)
      }
      reading.then(forget, forget)
    }
    const stored = await reading
    if (!stored) {
      throw new NotFoundError(
        `Run "${record.runId}" uses "${record.definitionId}"@${record.version}, which is no longer registered; register that version again.`,
        { value: record.runId },
      )
    }
    return checkRunDefinition(record, this.compile(stored.definition))
  }
}

/** The public summary of a stored definition. */
export function definitionInfo(record: StoredDefinition): DefinitionInfo {
  return {
    id: record.id,
    version: record.version,
    ...(record.name !== undefined && { name: record.name }),
    ...(record.description !== undefined && { description: record.description }),
    schemaVersion: record.schemaVersion,
    ...(record.migratedFrom !== undefined && { migratedFrom: record.migratedFrom }),
    registeredAt: record.registeredAt,
    taskCount: Object.keys(record.definition.tasks).length,
  }
}

function keyOf(def: { id: string; version: string }): string {
  return `${def.id}@${def.version}`
}
