import { createEngine, indexedDbStore } from 'spindle'
import { countedStore } from './counted-store'
import { median } from './measure'
import { dropDatabase, scratchDatabaseName } from './scratch-database'

/**
 * The approvals inbox on real IndexedDB (bench/inbox.html), through the public API: a database
 * holding `approvals` (10,000) runs started through the engine, each waiting on an `approval`
 * task (no deadline), so each is passive and has one open approval in the inbox, projected by
 * the store's commit from its `approval.required` entry. Then `createEngine({ store: indexedDbStore({ name }) })`
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
 * - approving one (`approve` on a passive run, until it resolves, and until the run completed),
 *   on `reps` different runs.
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
  approveOne?: { samplesMs: number[]; medianMs: number; items: number }
  approveToCompleted?: { samplesMs: number[]; medianMs: number; items: number }
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

/** Runs started at once while filling. */
const FILL_BATCH = 500

/** Each run asks one person (one in `PEOPLE`) to approve its order; one in 1,000 also asks the `audit` group. */
const definition = {
  schemaVersion: '2.0',
  id: 'order-approval',
  version: '1.0.0',
  params: {
    orderId: { type: 'string', required: true },
    approver: { type: 'string', required: true },
    groups: { type: 'array' },
    total: { type: 'number' },
  },
  tasks: {
    approve: {
      action: 'approval',
      params: {
        title: "${ 'Approve order ' + input.orderId }",
        data: { total: '${ input.total }' },
        levels: [{ approvers: ['${ input.approver }'], groups: '${ input.groups }' }],
      },
    },
    done: { action: 'noop', dependsOn: ['approve'] },
  },
}

/**
 * `count` runs of `definition` started through the engine: each waits on its approval (no
 * deadline), so it is passive once its wait is committed, as a run waiting on people is.
 */
async function fill(name: string, count: number): Promise<void> {
  const engine = createEngine({ store: indexedDbStore({ name }), groupsOf })
  try {
    await engine.register(definition)
    for (let from = 0; from < count; from += FILL_BATCH) {
      const n = Math.min(FILL_BATCH, count - from)
      await Promise.all(
        Array.from({ length: n }, (_, i) => {
          const k = from + i
          return engine.start(
            'order-approval',
            {
              orderId: `order-${k}`,
              approver: `person-${k % PEOPLE}`,
              groups: k % 1000 === 0 ? ['audit'] : [],
              total: 1_000 + k,
            },
            { runId: `run-${k}` },
          )
        }),
      )
      await engine.idle()
    }
  } finally {
    await engine.close()
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
    await fill(name, settings.approvals)
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
    // Approving one: the run is passive (not in memory); approve() takes it over, applies the
    // vote and commits it, and resolves. Then, separately, until the run has completed.
    const approveMs: number[] = []
    const completeMs: number[] = []
    for (let i = 0; i < settings.reps; i++) {
      const k = 1 + i * 37
      const runId = `run-${k}`
      const begin = performance.now()
      await engine.approve(runId, 'approve', { by: `person-${k % PEOPLE}` })
      approveMs.push(performance.now() - begin)
      const run = await engine.wait(runId)
      completeMs.push(performance.now() - begin)
      if (run.status !== 'completed') throw new Error(`run ${runId} is ${run.status} after its approval`)
    }
    results.approveOne = { samplesMs: approveMs, medianMs: median(approveMs), items: 1 }
    results.approveToCompleted = { samplesMs: completeMs, medianMs: median(completeMs), items: 1 }
    const left = await engine.listApprovals({ status: 'open' })
    if (left.length !== settings.approvals - settings.reps) throw new Error(`${left.length} left open`)
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
