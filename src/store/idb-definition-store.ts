import { compareSemver } from '../definition/semver'
import type { IdbConnection } from './idb-connection'
import { versionsRange } from './idb-schema'
import type { DefinitionStore, StoredDefinition } from './ports/definition-store'
import { checkDefinition, checkKey, versionExists } from './store-arguments'

/** The `DefinitionStore` of an IndexedDB database: the `definitions` object store, keyed `[id, version]`. */
export function idbDefinitionStore(db: IdbConnection): DefinitionStore {
  return {
    putDefinition(record: StoredDefinition): Promise<void> {
      return db.write('putDefinition', ['definitions'], async (tx) => {
        checkDefinition(record)
        const definitions = tx.objectStore('definitions')
        if ((await definitions.getKey([record.id, record.version])) !== undefined) throw versionExists(record)
        await definitions.put(record)
      })
    },

    setDefinitionFormat(id: string, version: string, formatVersion: number): Promise<boolean> {
      return db.write('setDefinitionFormat', ['definitions'], async (tx) => {
        const definitions = tx.objectStore('definitions')
        const record = await definitions.get([checkKey('definition id', id), checkKey('version', version)])
        if (!record) return false
        await definitions.put({ ...record, formatVersion })
        return true
      })
    },

    getDefinition(id: string, version?: string): Promise<StoredDefinition | undefined> {
      return db.read('getDefinition', ['definitions'], async (tx) => {
        checkKey('definition id', id)
        const definitions = tx.objectStore('definitions')
        if (version !== undefined) return definitions.get([id, checkKey('version', version)])
        let best: StoredDefinition | undefined
        for (const record of await definitions.getAll(versionsRange(id))) {
          if (!best || compareSemver(record.version, best.version) > 0) best = record
        }
        return best
      })
    },

    latestVersion(id: string): Promise<string | undefined> {
      return db.read('latestVersion', ['definitions'], async (tx) => {
        checkKey('definition id', id)
        let best: string | undefined
        for (const key of await tx.objectStore('definitions').getAllKeys(versionsRange(id))) {
          const version = key[1]
          if (best === undefined || compareSemver(version, best) > 0) best = version
        }
        return best
      })
    },

    listDefinitions(): Promise<StoredDefinition[]> {
      return db.read('listDefinitions', ['definitions'], (tx) => tx.objectStore('definitions').getAll())
    },

    deleteDefinition(id: string, version?: string): Promise<number> {
      return db.write('deleteDefinition', ['definitions'], async (tx) => {
        checkKey('definition id', id)
        const definitions = tx.objectStore('definitions')
        const range =
          version === undefined ? versionsRange(id) : IDBKeyRange.only([id, checkKey('version', version)])
        const count = await definitions.count(range)
        if (count > 0) await definitions.delete(range)
        return count
      })
    },
  }
}
