import { indexedDbStore } from 'spindle'
import type { WriteLog } from './counted-store'
import { dropDatabase, scratchDatabaseName } from './scratch-database'

/**
 * The store's own share of a durable run: replays what a counted run wrote (its `createRun`, then
 * every `commit` batch in order, one after another) on `indexedDbStore` over a fresh database,
 * with no engine, and returns the wall time of each commit in ms. The database is deleted after.
 */
export async function replayCommits(writes: WriteLog): Promise<number[]> {
  const name = scratchDatabaseName('replay')
  const store = indexedDbStore({ name })
  try {
    for (const record of writes.created) await store.createRun(record)
    const samples: number[] = []
    for (const batch of writes.batches) {
      const begin = performance.now()
      await store.commit(batch)
      samples.push(performance.now() - begin)
    }
    return samples
  } finally {
    await store.close()
    await dropDatabase(name)
  }
}
