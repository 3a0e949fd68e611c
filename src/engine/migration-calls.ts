import { NotFoundError } from '../errors'
import type { EngineScope } from '../host/engine-scope'
import { tryLockRun } from '../host/locks'
import { FORMAT_VERSION } from '../store/ports/format-version'
import type { RunRecord } from '../store/ports/run-store'
import type { Store } from '../store/store'
import type { MigrationStatus } from '../types'
import type { Access } from './access'
import { checkId } from './engine-arguments'

/** What the migration calls need. */
export interface MigrationContext {
  readonly store: Store
  readonly access: Access
  readonly scope: EngineScope
}

const formatOf = (record: { formatVersion?: number }) => record.formatVersion ?? 1

/**
 * `engine.migrations`: how many stored definitions and runs are in an older storage format, and
 * the calls that bring them to `FORMAT_VERSION`. A run record is upgraded under the run's Web
 * Lock, so never under a run that an engine (this one or another tab) executes, rolls back or
 * purges: such a run is left for a later call (its record stays readable as it is).
 */
export class MigrationCalls {
  readonly #ctx: MigrationContext

  constructor(ctx: MigrationContext) {
    this.#ctx = ctx
  }

  async status(): Promise<MigrationStatus> {
    const { store } = this.#ctx
    const [definitions, runs] = await Promise.all([store.listDefinitions(), store.listRuns()])
    const count = (records: { formatVersion?: number }[]) => {
      const current = records.filter((r) => formatOf(r) >= FORMAT_VERSION).length
      return { current, outdated: records.length - current }
    }
    return { formatVersion: FORMAT_VERSION, definitions: count(definitions), runs: count(runs) }
  }

  /**
   * Upgrades every stored version of definition `id` and its runs. Resolves to the records
   * upgraded. `NOT_FOUND` when no version of `id` is stored.
   */
  async migrate(id: string, acting: string | undefined): Promise<number> {
    checkId('migrations.migrate: definition id', id)
    await this.#allowed(acting, id)
    const versions = (await this.#ctx.store.listDefinitions()).filter((d) => d.id === id)
    if (versions.length === 0) {
      throw new NotFoundError(`migrations.migrate: no definition "${id}" is stored; see listDefinitions().`, {
        value: id,
      })
    }
    const runs = await this.#ctx.store.listRuns({ definitionId: id })
    return this.#upgrade(versions, runs)
  }

  /** Upgrades every outdated definition and run record. Resolves to the records upgraded. */
  async migrateAll(acting: string | undefined): Promise<number> {
    await this.#allowed(acting, undefined)
    const [definitions, runs] = await Promise.all([
      this.#ctx.store.listDefinitions(),
      this.#ctx.store.listRuns(),
    ])
    return this.#upgrade(definitions, runs)
  }

  async #allowed(acting: string | undefined, definitionId: string | undefined): Promise<void> {
    const { access, scope } = this.#ctx
    scope.check()
    if (!access.asks) return
    await access.check({
      principal: acting,
      verb: 'migrate',
      ...(definitionId !== undefined && { definitionId }),
    })
    scope.check()
  }

  async #upgrade(
    definitions: { id: string; version: string; formatVersion?: number }[],
    runs: RunRecord[],
  ): Promise<number> {
    const { store, scope } = this.#ctx
    let upgraded = 0
    for (const definition of definitions) {
      if (formatOf(definition) >= FORMAT_VERSION) continue
      scope.check()
      if (await store.setDefinitionFormat(definition.id, definition.version, FORMAT_VERSION)) upgraded++
    }
    for (const run of runs) {
      if (formatOf(run) >= FORMAT_VERSION) continue
      scope.check()
      const lock = await tryLockRun(store.name, run.runId)
      if (!lock) continue
      try {
        if (await store.setRunFormat(run.runId, FORMAT_VERSION)) upgraded++
      } finally {
        await lock.release()
      }
    }
    return upgraded
  }
}
