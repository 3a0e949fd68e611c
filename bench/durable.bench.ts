import { type BulkWrite, timeBareCommits, timeBulkWrites } from './bare-commit'
import { type DurableSample, type StoreUse, timeDurableRun, timeRecovery } from './durable-run'
import { median } from './measure'
import { replayCommits } from './replay-commits'
import { chain, fanOut, toDefinition } from './shapes'

/**
 * Durable runs on real IndexedDB (bench/durable.html), through the public API: every engine is
 * `createEngine({ store: indexedDbStore({ name }), recover: false })` on a database of its own,
 * deleted after `engine.close()`.
 *
 * - bare commit: one readwrite transaction putting one small record, durability 'strict', on a
 *   plain `idb` database: the floor of any durable step. Timed in blocks between the chain runs
 *   (after its warm-up and after every measured run), and pooled.
 * - chain: a run of 200 no-op tasks in a line; ms per step = run time / 200, and its ratio to
 *   the bare commit (target ≤ 1.2). Next to it, the warm-up run's own commits replayed on the
 *   store with no engine: the store's share of a step.
 * - fan-out: one root and 999 children, run concurrency 1000; ms per task (target ≤ 0.02). Next
 *   to it, a bare transaction of its 2,000 journal entries, put one by one and as one record.
 * - recovery: 1,000 runs cut off mid-flight (`a: noop` → `b` still working), the engine closed,
 *   then a new engine's `recover()` timed until it resolves with all of them (target ≤ 0.5 s, that
 *   is 0.5 ms per run when `runs` is not 1,000).
 *
 * Every figure is a median. One unmeasured warm-up of each comes first and counts the store calls
 * the measured kind of run makes. Query options: `reps` (chain and fan-out runs, default 5),
 * `recoveryReps` (default 3), `commits` (bare commits in all, default 300), `runs` (parked
 * runs, default 1000), `parts` (a comma-separated subset of chain,fan-out,recovery).
 */

interface Targeted {
  /** The figure the target applies to, and the target. */
  value: number
  target: number
  met: boolean
}

interface RunFigures {
  tasks: number
  /** Run times of the measured repetitions, ms. */
  samplesMs: number[]
  medianRunMs: number
  /** The (unmeasured) warm-up run's time, ms, and its store calls: what the time went on. */
  warmUpMs: number
  store?: StoreUse
}

export interface DurableBenchResults {
  userAgent: string
  crossOriginIsolated: boolean
  startedAt: string
  settings: { reps: number; recoveryReps: number; commits: number; runs: number; parts?: string[] }
  bareCommit?: { count: number; medianMs: number; p95Ms: number; minMs: number; blockMediansMs: number[] }
  /**
   * `ratio`: ms per step ÷ the bare commit's median; its target is `ratio.target`.
   * `replayedCommitMs`: median time of the warm-up run's commits replayed on the store alone.
   */
  chain?: RunFigures & {
    msPerStep: number
    ratio: Targeted
    replayedCommitMs: number
    replayedCommits: number
  }
  /** `bulkWrite`: the journal entries of one such run (two per task) written bare, two ways. */
  fanOut?: RunFigures & { msPerTask: Targeted; bulkWrite: BulkWrite }
  recovery?: {
    runs: number
    samplesMs: number[]
    /** Parking the runs before each measurement (not measured time), ms. */
    fillMs: number[]
    recoverMs: Targeted
    /** The (unmeasured) warm-up recovery's time, ms, and its store calls. */
    warmUpMs: number
    store?: StoreUse
  }
  error?: string
}

const query = new URLSearchParams(location.search)
const parts = query.get('parts')?.split(',')
const settings: DurableBenchResults['settings'] = {
  reps: positive(query.get('reps'), 5),
  recoveryReps: positive(query.get('recoveryReps'), 3),
  commits: positive(query.get('commits'), 300),
  runs: positive(query.get('runs'), 1000),
  ...(parts ? { parts } : {}),
}
const results: DurableBenchResults = {
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  startedAt: new Date().toISOString(),
  settings,
}
const log = document.querySelector('#log')
const show = (line: unknown) => {
  if (log) log.textContent += `${typeof line === 'string' ? line : JSON.stringify(line)}\n`
}
const PARTS = ['chain', 'fan-out', 'recovery']
const wanted = (name: string) => !parts || parts.includes(name)

/**
 * An unmeasured, counted warm-up sample, then `reps` measured ones. `between` runs after the
 * warm-up and after every measured sample.
 */
async function repeat<S extends DurableSample>(
  reps: number,
  once: (count: boolean) => Promise<S>,
  between?: () => Promise<void>,
): Promise<{ warmUp: S; samples: S[] }> {
  const warmUp = await once(true)
  await between?.()
  const samples: S[] = []
  for (let rep = 0; rep < reps; rep++) {
    samples.push(await once(false))
    show({ rep, ...samples.at(-1) })
    await between?.()
  }
  return { warmUp, samples }
}

async function main(): Promise<void> {
  const unknown = parts?.filter((part) => !PARTS.includes(part)) ?? []
  if (unknown.length > 0) {
    throw new Error(`Unknown part ${JSON.stringify(unknown)} in ?parts=; pick from ${PARTS.join(', ')}.`)
  }
  const commits: number[] = []
  const blockMediansMs: number[] = []
  const commitBlock = (count: number) => async () => {
    const block = await timeBareCommits(count, 10)
    commits.push(...block)
    blockMediansMs.push(median(block))
    show({ bareCommitBlockMedianMs: blockMediansMs.at(-1) })
  }

  if (wanted('chain')) {
    // Commit times drift over a page (the origin's IndexedDB fills, compactions come and go):
    // the bare commits are timed in blocks between the chain runs, so both sample one stretch.
    const definition = toDefinition(chain(200))
    const block = commitBlock(Math.ceil(settings.commits / (settings.reps + 1)))
    const { warmUp, samples } = await repeat(
      settings.reps,
      (count) => timeDurableRun(definition, count),
      block,
    )
    const replayed = await replayCommits(warmUp.writes!)
    const medianRunMs = median(samples.map((s) => s.ms))
    const msPerStep = medianRunMs / 200
    const ratio = msPerStep / median(commits)
    results.chain = {
      tasks: 200,
      samplesMs: samples.map((s) => s.ms),
      medianRunMs,
      warmUpMs: warmUp.ms,
      store: warmUp.store,
      msPerStep,
      ratio: { value: ratio, target: 1.2, met: ratio <= 1.2 },
      replayedCommitMs: median(replayed),
      replayedCommits: replayed.length,
    }
    show({ chain: results.chain })
  } else {
    await commitBlock(settings.commits)()
  }
  results.bareCommit = {
    count: commits.length,
    medianMs: median(commits),
    p95Ms: quantile(commits, 0.95),
    minMs: Math.min(...commits),
    blockMediansMs,
  }

  if (wanted('fan-out')) {
    const definition = toDefinition(fanOut(1000))
    const { warmUp, samples } = await repeat(settings.reps, (count) => timeDurableRun(definition, count))
    const medianRunMs = median(samples.map((s) => s.ms))
    const msPerTask = medianRunMs / 1000
    results.fanOut = {
      tasks: 1000,
      samplesMs: samples.map((s) => s.ms),
      medianRunMs,
      warmUpMs: warmUp.ms,
      store: warmUp.store,
      msPerTask: { value: msPerTask, target: 0.02, met: msPerTask <= 0.02 },
      bulkWrite: await timeBulkWrites(2000, settings.reps),
    }
    show({ fanOut: results.fanOut })
  }

  if (wanted('recovery')) {
    const { warmUp, samples } = await repeat(settings.recoveryReps, (count) =>
      timeRecovery(settings.runs, count),
    )
    const recoverMs = median(samples.map((s) => s.ms))
    results.recovery = {
      runs: settings.runs,
      samplesMs: samples.map((s) => s.ms),
      fillMs: samples.map((s) => s.fillMs),
      warmUpMs: warmUp.ms,
      store: warmUp.store,
      // The target is 0.5 s for 1,000 runs: with another `runs`, 0.5 ms per run.
      recoverMs: { value: recoverMs, target: settings.runs / 2, met: recoverMs <= settings.runs / 2 },
    }
    show({ recovery: results.recovery })
  }
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function positive(value: string | null, fallback: number): number {
  const n = Number(value)
  return value !== null && Number.isInteger(n) && n > 0 ? n : fallback
}

main()
  .catch((error: unknown) => {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
    show(`error: ${results.error}`)
  })
  .finally(() => {
    const page = window as unknown as { __benchResults?: DurableBenchResults; __benchDone?: boolean }
    page.__benchResults = results
    page.__benchDone = true
  })
