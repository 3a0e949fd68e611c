import { createEngine, indexedDbStore, type JournalEntry, type Store } from 'spindle'
import { countedStore } from './counted-store'
import { median } from './measure'
import { dropDatabase, scratchDatabaseName } from './scratch-database'

/**
 * The approvals inbox on real IndexedDB (bench/inbox.html), through the public API: a database
 * holding `approvals` (10,000) runs, each passive (status `running`, waiting with no deadline, as
 * a run waiting on people is) and each with one open approval, projected by the store's commit
 * from its `approval.required` entry. Then `createEngine({ store: indexedDbStore({ name }) })`
 * (recovery on, as an app opens it) and, medians of `reps` (7) calls each:
 *
 * - `listApprovals({ status: 'open' })`: all 10,000 items;
 * - `listApprovals({ principal, limit: 50 })` for a principal listed on one approval in 10, and
 *   for one reached only through a group (`groupsOf`) on one approval in 1,000 (the index walk
 *   goes through the whole inbox to find its 10);
 * - the page's memory (see `heapMB`) before the engine, after it opened and recovered, and while
 *   holding the list of 10,000;
 * - the store calls an unmeasured pass of all three listings made (on a counting store): the
 *   inbox is read from its own index, no run is loaded.
 *
 * Approving one needs the `approve` control, which this build does not have yet: not measured.
 */

export interface InboxBenchResults {
  userAgent: string
  crossOriginIsolated: boolean
  startedAt: string
  settings: { approvals: number; reps: number }
  fillMs?: number
  listOpen?: { samplesMs: number[]; medianMs: number; items: number }
  listPrincipal?: { samplesMs: number[]; medianMs: number; items: number }
  listGroup?: { samplesMs: number[]; medianMs: number; items: number }
  heapMB?: { beforeEngine: number; engineOpen: number; holdingList: number; how: string }
  storeCalls?: Record<string, number>
  error?: string
}

const query = new URLSearchParams(location.search)
const settings = {
  approvals: Number(query.get('approvals') ?? 10_000),
  reps: Number(query.get('reps') ?? 7),
}
const results: InboxBenchResults = {
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  startedAt: new Date().toISOString(),
  settings,
}
const PEOPLE = 10
const groupsOf = (principal: string) => (principal === 'auditor' ? ['audit'] : [])

/** Runs per fill transaction. */
const FILL_BATCH = 500

/** `count` passive runs, each with one open approval, written as their executors would. */
async function fill(store: Store, count: number): Promise<void> {
  for (let from = 0; from < count; from += FILL_BATCH) {
    const ids = Array.from({ length: Math.min(FILL_BATCH, count - from) }, (_, i) => `run-${from + i}`)
    await Promise.all(
      ids.map((runId, i) =>
        store.createRun({
          runId,
          definitionId: 'order-approval',
          version: '1.0.0',
          status: 'running',
          createdAt: from + i,
          updatedAt: from + i,
          input: { orderId: runId },
          epoch: 0,
          seq: 0,
          wakeAt: Number.POSITIVE_INFINITY,
        }),
      ),
    )
    const entries: JournalEntry[] = ids.map((runId, i) => {
      const n = from + i
      return {
        type: 'approval.required',
        runId,
        seq: 1,
        at: 1_000 + n,
        taskId: 'approve',
        level: 0,
        title: `Approve order ${runId}`,
        data: { total: 1_000 + n },
        approvers: [`person-${n % PEOPLE}`],
        groups: n % 1000 === 0 ? ['audit'] : [],
        quorum: 1,
        dueAt: 86_400_000 + ((n * 7919) % count),
      }
    })
    await store.commit({
      entries,
      runs: [],
      snapshots: [],
      fences: ids.map((runId) => ({ runId, epoch: 0 })),
    })
  }
}

async function timed(reps: number, call: () => Promise<unknown[]>) {
  const samplesMs: number[] = []
  let items = 0
  for (let i = 0; i < reps; i++) {
    const begin = performance.now()
    items = (await call()).length
    samplesMs.push(performance.now() - begin)
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return { samplesMs, medianMs: median(samplesMs), items }
}

/**
 * The page's memory in MB: `performance.measureUserAgentSpecificMemory()` where the page is
 * cross-origin isolated (it collects garbage first, so the figure is what is still held), else
 * Chromium's `performance.memory.usedJSHeapSize` (which counts garbage not yet collected).
 */
async function heapMB(): Promise<number> {
  const perf = performance as Performance & {
    measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>
    memory?: { usedJSHeapSize: number }
  }
  if (globalThis.crossOriginIsolated && perf.measureUserAgentSpecificMemory) {
    return (await perf.measureUserAgentSpecificMemory()).bytes / 2 ** 20
  }
  return perf.memory ? perf.memory.usedJSHeapSize / 2 ** 20 : Number.NaN
}

async function main(): Promise<void> {
  const name = scratchDatabaseName('inbox')
  try {
    const begin = performance.now()
    const filler = indexedDbStore({ name })
    await fill(filler, settings.approvals)
    await filler.close()
    results.fillMs = performance.now() - begin

    // One unmeasured pass on a counting store: which store calls the listings make.
    const counted = countedStore(indexedDbStore({ name }))
    const probe = createEngine({ store: counted.store, groupsOf })
    await probe.idle()
    await probe.listApprovals({ status: 'open' })
    await probe.listApprovals({ principal: 'person-3', limit: 50 })
    await probe.listApprovals({ principal: 'auditor', limit: 50 })
    results.storeCalls = { ...counted.calls }
    await probe.close()

    const beforeEngine = await heapMB()
    const engine = createEngine({ store: indexedDbStore({ name }), groupsOf })
    await engine.idle()
    const engineOpen = await heapMB()
    results.listOpen = await timed(settings.reps, () => engine.listApprovals({ status: 'open' }))
    const held = await engine.listApprovals({ status: 'open' })
    const holdingList = await heapMB()
    const precise = globalThis.crossOriginIsolated && 'measureUserAgentSpecificMemory' in performance
    const how = precise ? 'measureUserAgentSpecificMemory' : 'usedJSHeapSize'
    results.heapMB = { beforeEngine, engineOpen, holdingList, how }
    if (held.length !== settings.approvals) throw new Error(`listed ${held.length} open approvals`)
    results.listPrincipal = await timed(settings.reps, () =>
      engine.listApprovals({ principal: 'person-3', limit: 50 }),
    )
    results.listGroup = await timed(settings.reps, () =>
      engine.listApprovals({ principal: 'auditor', limit: 50 }),
    )
    await engine.close()
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
  } finally {
    await dropDatabase(name).catch((error: unknown) => {
      results.error ??= String(error)
    })
    const page = window as unknown as { __benchResults?: InboxBenchResults; __benchDone?: boolean }
    page.__benchResults = results
    page.__benchDone = true
  }
}

void main()
