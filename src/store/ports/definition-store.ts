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
  /**
   * Records that a stored version is in `formatVersion` (a migration wrote it); the definition
   * itself is not changed. False when the version is not stored.
   */
  setDefinitionFormat(id: string, version: string, formatVersion: number): Promise<boolean>
}

export interface StoredDefinition {
  id: string
  version: string
  name?: string
  description?: string
  schemaVersion: string
  migratedFrom?: string
  /** The storage format the record was written in (`FORMAT_VERSION`); absent: format 1. */
  formatVersion?: number
  registeredAt: number
  definition: WorkflowDefinition
}
