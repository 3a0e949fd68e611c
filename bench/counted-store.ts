import type { CommitBatch, RunRecord, Store } from 'spindle'

/** A store that counts and times the calls made to it, and otherwise is the store it wraps. */
export interface CountedStore {
  store: Store
  /** Calls so far per `Store` method (`commit`, `getRun`, …). */
  calls: Record<string, number>
  /**
   * Time per method from each call until its promise settled, ms, summed. Calls that overlap
   * each add their own time, so the sum can exceed the wall time.
   */
  ms: Record<string, number>
  /** Records handed to `commit` so far: journal entries, run records, snapshots. */
  written: { entries: number; runs: number; snapshots: number }
  /** The writes themselves, in order, to replay on another store (`replayCommits`). */
  log: WriteLog
}

/** Runs created (copies as created) and batches committed (as handed over: the store owns them). */
export interface WriteLog {
  created: RunRecord[]
  batches: CommitBatch[]
}

/**
 * Wraps `store` so that every method call is counted and timed on its way through. Used only on
 * unmeasured runs, to tell which transactions a measured figure stands for and how long they took.
 */
export function countedStore(store: Store): CountedStore {
  const calls: Record<string, number> = {}
  const ms: Record<string, number> = {}
  const written = { entries: 0, runs: 0, snapshots: 0 }
  const log: WriteLog = { created: [], batches: [] }
  const counted = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      // Applied to the real store: its methods reach `#private` fields, which the proxy lacks.
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1
        if (property === 'createRun') log.created.push(structuredClone(args[0] as RunRecord))
        if (property === 'commit') {
          const batch = args[0] as CommitBatch
          log.batches.push(batch)
          written.entries += batch.entries.length
          written.runs += batch.runs.length
          written.snapshots += batch.snapshots.length
        }
        const begin = performance.now()
        const result = value.apply(target, args)
        const settled = () => {
          ms[property] = (ms[property] ?? 0) + performance.now() - begin
        }
        if (result instanceof Promise) result.then(settled, settled)
        else settled()
        return result
      }
    },
  })
  return { store: counted, calls, ms, written, log }
}
