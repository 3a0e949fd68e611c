import { createEngine, indexedDbStore, type WorkflowDefinition } from 'spindle'
import { countedStore, type WriteLog } from './counted-store'
import { dropDatabase, scratchDatabaseName } from './scratch-database'

/** One timed piece of durable work. */
export interface DurableSample {
  ms: number
  /** Store calls the timed part made, and their summed time (ms), by method: only on counted samples. */
  store?: StoreUse
  /** What the timed part wrote, to replay without the engine: only on counted samples. */
  writes?: WriteLog
}

/** Store calls and their summed time in ms, by `Store` method, and the records committed. */
export interface StoreUse {
  calls: Record<string, number>
  ms: Record<string, number>
  written: { entries: number; runs: number; snapshots: number }
}

/** What `timeRecovery` measured. */
export interface RecoverySample extends DurableSample {
  /** Starting the runs until `b` had started in every one (not part of `ms`). */
  fillMs: number
}

/**
 * A run cut off mid-flight: `a` (noop), then `b`, an action still working when its engine closes
 * (`PARKED_ACTIONS`). Runs of it that reached `b` are what a restart has to recover: `b` starts
 * again. (A run that only waits, on a `delay` say, is passive: recovery leaves it in the store
 * for the deadline heap, so it would measure nothing.)
 */
export const PARKED_DEFINITION: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'bench-parked',
  version: '1.0.0',
  tasks: {
    a: { action: 'noop' },
    b: { action: 'work', dependsOn: ['a'] },
  },
}

/** `work` runs until its attempt is aborted (the engine closing), as a long request would. */
export const PARKED_ACTIONS = {
  work: (_: unknown, ctx: { signal: AbortSignal }) =>
    new Promise<never>((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })
    }),
}

/**
 * Wall time of one run of `definition` on an engine over a fresh IndexedDB database (default
 * durability, `'strict'`), from `start` until `wait` resolves. Creating the engine and registering
 * the definition (which opens the database) happen before the clock starts; closing the engine
 * and deleting the database after it stops. With `count`, store calls are counted as well.
 */
export async function timeDurableRun(definition: WorkflowDefinition, count: boolean): Promise<DurableSample> {
  const name = scratchDatabaseName(definition.id)
  const store = indexedDbStore({ name })
  const counted = count ? countedStore(store) : undefined
  const engine = createEngine({ store: counted?.store ?? store, recover: false })
  try {
    await engine.register(definition)
    const before = counted && snapshotOf(counted)
    const begin = performance.now()
    const run = await engine.start(definition.id)
    const view = await engine.wait(run.runId, { timeoutMs: 600_000 })
    const ms = performance.now() - begin
    if (view.status !== 'completed') {
      const why = view.error ? `${view.error.code}: ${view.error.message}` : 'no error recorded'
      throw new Error(`run ${run.runId} of ${definition.id} ended ${view.status} (${why})`)
    }
    return counted && before ? { ms, store: since(before, counted), writes: counted.log } : { ms }
  } finally {
    await engine.close()
    await store.close()
    await dropDatabase(name)
  }
}

/**
 * Recovery after a restart: parks `runs` runs of `PARKED_DEFINITION` in a fresh database (every
 * one waiting on its delay, journaled), closes that engine, then times a new engine on the same
 * database from `createEngine({ recover: false })` until `recover()` resolves with every run.
 * Opening the database is part of the time, as it is after a real restart.
 */
export async function timeRecovery(runs: number, count: boolean): Promise<RecoverySample> {
  const name = scratchDatabaseName('recovery')
  try {
    const fillMs = await parkRuns(name, runs)
    const store = indexedDbStore({ name })
    const counted = count ? countedStore(store) : undefined
    const begin = performance.now()
    const engine = createEngine({ store: counted?.store ?? store, recover: false, actions: PARKED_ACTIONS })
    try {
      const recovered = await engine.recover()
      const ms = performance.now() - begin
      const running = recovered.filter((run) => run.status === 'running').length
      if (recovered.length !== runs || running !== runs) {
        throw new Error(
          `recover() resumed ${recovered.length} runs (${running} running); ${runs} were parked.`,
        )
      }
      return counted ? { ms, fillMs, store: snapshotOf(counted) } : { ms, fillMs }
    } finally {
      await engine.close()
      await store.close()
    }
  } finally {
    await dropDatabase(name)
  }
}

/** Starts `runs` parked runs and resolves, with the time it took, once `b` started in all of them. */
async function parkRuns(name: string, runs: number): Promise<number> {
  const store = indexedDbStore({ name })
  const engine = createEngine({ store, recover: false, actions: PARKED_ACTIONS })
  try {
    await engine.register(PARKED_DEFINITION)
    let waiting = 0
    const allWaiting = new Promise<void>((resolve, reject) => {
      const subscription = engine.events$.subscribe((event) => {
        // Events are published after their journal write committed: a started `b` is on disk.
        if (event.type === 'task.started' && event.taskId === 'b' && ++waiting === runs) {
          subscription.unsubscribe()
          resolve()
        }
        if (event.type === 'workflow.failed') {
          subscription.unsubscribe()
          reject(new Error(`parked run ${event.runId} failed: ${event.error.message}`))
        }
      })
    })
    const begin = performance.now()
    const starts = Array.from({ length: runs }, (_, i) =>
      engine.start(PARKED_DEFINITION.id, {}, { runId: `parked-${i}` }),
    )
    await Promise.all(starts)
    await allWaiting
    return performance.now() - begin
  } finally {
    await engine.close()
    await store.close()
  }
}

function snapshotOf(use: StoreUse): StoreUse {
  return { calls: { ...use.calls }, ms: { ...use.ms }, written: { ...use.written } }
}

/** The store use between `before` and `now`. */
function since(before: StoreUse, now: StoreUse): StoreUse {
  const use: StoreUse = {
    calls: {},
    ms: {},
    written: {
      entries: now.written.entries - before.written.entries,
      runs: now.written.runs - before.written.runs,
      snapshots: now.written.snapshots - before.written.snapshots,
    },
  }
  for (const [method, n] of Object.entries(now.calls)) {
    const made = n - (before.calls[method] ?? 0)
    if (made <= 0) continue
    use.calls[method] = made
    use.ms[method] = (now.ms[method] ?? 0) - (before.ms[method] ?? 0)
  }
  return use
}
