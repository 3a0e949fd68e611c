import { compareSemver } from '../definition/semver'
import type { DefinitionStore, StoredDefinition } from './ports/definition-store'
import { versionExists } from './store-arguments'

/** The `DefinitionStore` of a memory store: one map, keyed `<id>@<version>`. */
export function memoryDefinitionStore(): DefinitionStore {
  const definitions = new Map<string, StoredDefinition>()
  return {
    async putDefinition(record: StoredDefinition): Promise<void> {
      if (definitions.has(`${record.id}@${record.version}`)) throw versionExists(record)
      definitions.set(`${record.id}@${record.version}`, structuredClone(record))
    },

    async getDefinition(id: string, version?: string): Promise<StoredDefinition | undefined> {
      if (version !== undefined) return structuredClone(definitions.get(`${id}@${version}`))
      let best: StoredDefinition | undefined
      for (const record of definitions.values()) {
        if (record.id === id && (!best || compareSemver(record.version, best.version) > 0)) best = record
      }
      return structuredClone(best)
    },

    async latestVersion(id: string): Promise<string | undefined> {
      let best: string | undefined
      for (const record of definitions.values()) {
        if (record.id === id && (best === undefined || compareSemver(record.version, best) > 0))
          best = record.version
      }
      return best
    },

    async listDefinitions(): Promise<StoredDefinition[]> {
      return [...definitions.values()].map((r) => structuredClone(r))
    },

    async setDefinitionFormat(id: string, version: string, formatVersion: number): Promise<boolean> {
      const record = definitions.get(`${id}@${version}`)
      if (record) record.formatVersion = formatVersion
      return record !== undefined
    },

    async deleteDefinition(id: string, version?: string): Promise<number> {
      let deleted = 0
      for (const [key, record] of definitions) {
        if (record.id === id && (version === undefined || record.version === version)) {
          definitions.delete(key)
          deleted++
        }
      }
      return deleted
    },
  }
}
