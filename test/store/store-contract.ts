import type { Store } from 'spindle'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { approvalStoreContract } from './approval-store-contract'
import { cacheStoreContract } from './cache-store-contract'
import { definitionStoreContract } from './definition-store-contract'
import { eventLogContract } from './event-log-contract'
import { journalStoreContract } from './journal-store-contract'
import { routeStoreContract } from './route-store-contract'
import { countRecordsContract, runPurgeContract } from './run-purge-contract'
import { runStoreContract } from './run-store-contract'
import { secretStoreContract } from './secret-store-contract'
import { runRecord } from './store-fixtures'

/**
 * The behaviour every `Store` must show: that of each of its ports, one `describe` each, and its
 * own `name` and `close()`. Each implementation's test file runs it with a factory that makes a
 * fresh, empty store and a `cleanup` that disposes of it.
 */
export function storeContract(
  name: string,
  make: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
): void {
  describe(`${name}: the Store contract`, () => {
    let store: Store
    let cleanup: () => Promise<void>

    beforeEach(async () => {
      ;({ store, cleanup } = await make())
    })
    afterEach(async () => {
      await cleanup()
    })

    it('names itself', () => {
      expect(store.name).toMatch(/.+/)
    })

    definitionStoreContract(() => store)
    runStoreContract(() => store)
    journalStoreContract(() => store)
    approvalStoreContract(() => store)
    runPurgeContract(() => store)
    countRecordsContract(() => store)
    secretStoreContract(() => store)
    routeStoreContract(() => store)
    eventLogContract(() => store)
    cacheStoreContract(() => store)

    it('closes', async () => {
      await store.createRun(runRecord('r1'))
      await expect(store.close()).resolves.toBeUndefined()
    })
  })
}
