import { type Engine, StorageError } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { indexedDbStore } from '../../src/store/indexeddb-store'
import { testEngine, until } from '../support/engine-fixtures'

interface StorageBucket {
  readonly indexedDB: IDBFactory
}
interface StorageBucketManager {
  open(name: string, options?: { quota?: number }): Promise<StorageBucket>
  delete(name: string): Promise<void>
}
const buckets = (navigator as Navigator & { storageBuckets?: StorageBucketManager }).storageBuckets

/** A bucket quota the engine's schema fits in, and a 1 MB task output does not. */
const QUOTA = 400_000

describe.runIf(buckets !== undefined)('a real storage quota (a Chromium storage bucket)', () => {
  const opened: { engine: Engine; bucket: string }[] = []
  afterEach(async () => {
    for (const { engine, bucket } of opened.splice(0)) {
      await engine.close()
      await buckets!.delete(bucket)
    }
  })

  it('pauses the run whose completion does not fit, with reason quota, refuses new runs, and resumes once writes fit', async () => {
    const name = `quota-${crypto.randomUUID()}`
    const bucket = await buckets!.open(name, { quota: QUOTA })
    const store = indexedDbStore({ name, indexedDB: bucket.indexedDB })
    // The first output does not fit; a later attempt's does (as after the app freed space).
    let calls = 0
    const { engine } = testEngine({
      store,
      actions: { big: () => (++calls === 1 ? 'x'.repeat(1_000_000) : 'small') },
    })
    opened.push({ engine, bucket: name })
    await engine.register({
      schemaVersion: '2.0',
      id: 'wf',
      version: '1.0.0',
      tasks: { a: { action: 'big' }, b: { action: 'noop', dependsOn: ['a'] } },
    })
    const run = await engine.start('wf')
    await until(async () => (await engine.getRun(run.runId))?.status === 'paused')
    expect(await engine.getRun(run.runId)).toMatchObject({
      status: 'paused',
      pauseReason: { code: 'STORAGE_FAILED', reason: 'quota' },
    })
    // The attempt cut off by the failed write runs again while the run is paused (a pause lets
    // work in flight finish): never with the output that did not fit.
    expect([undefined, 'small']).toContain((await engine.getRun(run.runId))!.tasks.a!.output)
    const refused = await engine.start('wf').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(StorageError)
    expect(refused).toMatchObject({ reason: 'quota' })
    expect((await store.listRuns({})).map((r) => r.runId)).toEqual([run.runId])

    await engine.resume(run.runId)
    expect(await engine.wait(run.runId)).toMatchObject({
      status: 'completed',
      tasks: { a: { output: 'small' } },
    })
    // The resume's write went through: new runs are accepted again.
    const next = await engine.start('wf')
    expect((await engine.wait(next.runId)).status).toBe('completed')
  })
})

describe('indexedDbStore({ indexedDB })', () => {
  it('refuses a value that is not an IDBFactory', () => {
    for (const bad of [{}, 'indexedDB', 42]) {
      expect(() => indexedDbStore({ name: 'never-opened', indexedDB: bad as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', value: bad }),
      )
    }
  })
})
