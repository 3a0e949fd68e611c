import type { WorkflowDefinition } from '../../types'

/**
 * The definitions port: every registered version of every workflow definition, keyed by
 * `[id, version]`.
 */
export interface DefinitionStore {
  /**
   * Adds a definition version. Versions are immutable: if `id`@`version` is stored already, the
   * call writes nothing and rejects with `ArgumentError` (`INVALID_ARGUMENT`).
   */
  putDefinition(record: StoredDefinition): Promise<void>
  /** Without `version`: the highest semver version registered. */
  getDefinition(id: string, version?: string): Promise<StoredDefinition | undefined>
  /** The highest semver version registered under `id`, without reading the definition. */
  latestVersion(id: string): Promise<string | undefined>
  listDefinitions(): Promise<StoredDefinition[]>
  /** Without `version`: every version. Resolves to the number of versions deleted. */
  deleteDefinition(id: string, version?: string): Promise<number>
}

export interface StoredDefinition {
  id: string
  version: string
  name?: string
  description?: string
  schemaVersion: string
  migratedFrom?: string
  registeredAt: number
  definition: WorkflowDefinition
}
