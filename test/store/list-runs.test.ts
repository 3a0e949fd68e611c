import fc from 'fast-check'
import { memoryStore, type RunQuery, type Store } from 'spindle'
import { describe, expect, it } from 'vitest'
import { runRecord } from './store-fixtures'
import { tempStores } from './temp-database'

/*
 * `listRuns` pages: both stores must list the same runs in the same order (newest first, ties by
 * run id, highest first) and resume after a position without skipping or repeating a run.
 */

const temp = tempStores()
const stores: [string, () => Store][] = [
  ['memoryStore', () => memoryStore()],
  ['indexedDbStore', () => temp.open()],
]

/** Every page of `query` with `size` runs per page, following the position of each page's last run. */
async function allPages(store: Store, query: RunQuery, size: number): Promise<string[][]> {
  const pages: string[][] = []
  let after: RunQuery['after']
  for (;;) {
    const page = await store.listRuns({ ...query, limit: size, ...(after && { after }) })
    if (page.length === 0) return pages
    pages.push(page.map((r) => r.runId))
    const last = page.at(-1)!
    after = { createdAt: last.createdAt, runId: last.runId }
  }
}

describe.each(stores)('%s: listRuns pages', (_, open) => {
  it('orders runs created at the same time by run id and resumes after a position', async () => {
    const store = open()
    for (const id of ['b', 'd', 'a', 'e', 'c']) await store.createRun(runRecord(id, { createdAt: 5 }))
    await store.createRun(runRecord('z', { createdAt: 1 }))
    await store.createRun(runRecord('new', { createdAt: 9 }))

    expect((await store.listRuns()).map((r) => r.runId)).toEqual(['new', 'e', 'd', 'c', 'b', 'a', 'z'])
    expect(await allPages(store, {}, 2)).toEqual([['new', 'e'], ['d', 'c'], ['b', 'a'], ['z']])
    expect(await allPages(store, {}, 3)).toEqual([['new', 'e', 'd'], ['c', 'b', 'a'], ['z']])
    // A position whose run is gone (deleted since) still resumes at the right place.
    const after = await store.listRuns({ after: { createdAt: 5, runId: 'cc' } })
    expect(after.map((r) => r.runId)).toEqual(['c', 'b', 'a', 'z'])
  })

  it('pages through each filter the same way: status, definition, parent run, creation time', async () => {
    const store = open()
    const statuses = ['running', 'completed', 'failed'] as const
    for (let i = 0; i < 12; i++) {
      await store.createRun(
        runRecord(`r${String(i).padStart(2, '0')}`, {
          createdAt: 100 + Math.floor(i / 3),
          status: statuses[i % 3]!,
          definitionId: i % 2 === 0 ? 'even' : 'odd',
          ...(i % 4 === 0 && { parentRunId: 'p1' }),
        }),
      )
    }
    const all = (await store.listRuns()).map((r) => r.runId)
    expect(all).toEqual(['r11', 'r10', 'r09', 'r08', 'r07', 'r06', 'r05', 'r04', 'r03', 'r02', 'r01', 'r00'])
    const queries: [RunQuery, string[]][] = [
      [{ status: ['completed', 'failed'] }, all.filter((id) => Number(id.slice(1)) % 3 !== 0)],
      [{ definitionId: 'even' }, all.filter((id) => Number(id.slice(1)) % 2 === 0)],
      [{ definitionId: 'odd', status: ['running'] }, ['r09', 'r03']],
      [{ parentRunId: 'p1' }, ['r08', 'r04', 'r00']],
      [{ parentRunId: 'p1', status: ['running', 'failed'] }, ['r08', 'r00']],
      // createdAfter and createdBefore are exclusive bounds.
      [{ createdAfter: 101, createdBefore: 103 }, ['r08', 'r07', 'r06']],
      [{ createdAfter: 100 }, all.slice(0, 9)],
      [{ createdBefore: 101, status: ['running'] }, ['r00']],
      [{ createdAfter: 100, definitionId: 'odd', status: ['completed', 'running'] }, ['r09', 'r07', 'r03']],
    ]
    for (const [query, expected] of queries) {
      expect((await store.listRuns(query)).map((r) => r.runId)).toEqual(expected)
      for (const size of [1, 2, 5]) expect((await allPages(store, query, size)).flat()).toEqual(expected)
    }
  })

  it('keeps startedAt, endedAt, principal and parentRunId with the record', async () => {
    const store = open()
    const record = runRecord('r1', { startedAt: 7, endedAt: 9, principal: 'alice', parentRunId: 'p' })
    await store.createRun(record)
    expect(await store.listRuns({ parentRunId: 'p' })).toEqual([record])
  })
})

describe('listRuns: both stores agree', () => {
  it('lists the same runs in the same order for any runs, query and position', async () => {
    const status = fc.constantFrom('queued', 'running', 'paused', 'completed', 'failed', 'cancelled' as const)
    const record = fc.record({
      createdAt: fc.integer({ min: 1, max: 6 }),
      status,
      definitionId: fc.constantFrom('a', 'b'),
      parentRunId: fc.option(fc.constantFrom('p1', 'p2'), { nil: undefined }),
    })
    const time = fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined })
    const query = fc.record(
      {
        status: fc.uniqueArray(status, { maxLength: 3 }),
        definitionId: fc.constantFrom('a', 'b'),
        parentRunId: fc.constantFrom('p1', 'p2'),
        createdAfter: time,
        createdBefore: time,
        after: fc.record({
          createdAt: fc.integer({ min: 0, max: 7 }),
          runId: fc.constantFrom('r05', 'r10', 'r5'),
        }),
        limit: fc.integer({ min: 0, max: 8 }),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 25 }),
        fc.array(query, { maxLength: 6 }),
        async (records, queries) => {
          const memory = memoryStore()
          const indexed = temp.open()
          for (const [i, fields] of records.entries()) {
            const run = runRecord(`r${String(i).padStart(2, '0')}`, fields)
            await memory.createRun(run)
            await indexed.createRun(run)
          }
          for (const q of queries) {
            const clean = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as RunQuery
            const expected = (await memory.listRuns(clean)).map((r) => r.runId)
            expect(
              (await indexed.listRuns(clean)).map((r) => r.runId),
              JSON.stringify(clean),
            ).toEqual(expected)
          }
        },
      ),
      { numRuns: 25 },
    )
  })
})
