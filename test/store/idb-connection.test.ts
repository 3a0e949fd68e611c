import { openDB } from 'idb'
import { StorageError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { IdbConnection } from '../../src/store/idb-connection'
import { SCHEMA_VERSION, type SpindleDB, upgradeSchema } from '../../src/store/idb-schema'
import { deleteDatabase, tempDatabaseName } from './temp-database'

describe('IdbConnection', () => {
  it('reports an upgrade blocked by a connection that does not close, then opens once it is gone (S11)', async () => {
    const name = tempDatabaseName('blocked')
    // Another tab on the current schema that ignores `versionchange`: it never closes by itself.
    const other = await openDB<SpindleDB>(name, SCHEMA_VERSION, { upgrade: upgradeSchema })
    const connection = new IdbConnection(name, 'strict', SCHEMA_VERSION + 1)
    const read = () => connection.read('getRun', ['runs'], (tx) => tx.objectStore('runs').get('r1'))
    try {
      const blocked = read()
      await expect(blocked).rejects.toBeInstanceOf(StorageError)
      await expect(blocked).rejects.toMatchObject({ code: 'STORAGE_FAILED', value: { database: name } })
      await expect(blocked).rejects.toThrow(/blocked by another connection.*close or reload the other tabs/i)
      other.close()
      await expect(read()).resolves.toBeUndefined()
    } finally {
      other.close()
      await connection.close()
      await deleteDatabase(name)
    }
  })
})
