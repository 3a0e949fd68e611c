/** Timings of one runner on one shape. */
export interface Figures {
  /** Wall time of one run, per measured repetition, in ms. */
  samplesMs: number[]
  /** Runs timed back to back in each repetition (samples are their mean). */
  runsPerSample: number
  /** Unmeasured repetitions run first. */
  warmupReps: number
  /** How long those lasted (runs only, not their set-up), ms. */
  warmedMs: number
  medianMs: number
  /** Median wall time of one run divided by the number of tasks, in µs. */
  usPerTask: number
  /** Fastest repetition divided by the number of tasks, in µs: the least disturbed by other load. */
  minUsPerTask: number
}

/** A repetition lasts at least this long, so the timer's resolution (5–100 µs) does not show. */
const MIN_SAMPLE_MS = 25
/**
 * A bound on the warm-up's repetitions, in case a run takes no measurable time at all; high
 * enough that `warmupMs` always decides (a 1.5 s warm-up of 5 ms engine runs is 300 of them).
 */
const MAX_WARMUP_REPS = 100_000

/**
 * Times `once` over `reps` measured repetitions after unmeasured warm-up ones.
 *
 * With `prepare`, each repetition is one run: `prepare` (and then `release`) run outside the
 * measured time. Without it, a repetition times as many runs back to back as it takes to last
 * `MIN_SAMPLE_MS` (found by growing a batch before the warm-up), and its sample is their mean.
 */
export async function measure<T>(options: {
  size: number
  reps: number
  /** Unmeasured repetitions first: at least `warmup`, and more until they have lasted `warmupMs`. */
  warmup: number
  warmupMs: number
  once: (prepared: T) => Promise<unknown>
  prepare?: () => Promise<T> | T
  release?: (prepared: T) => Promise<unknown> | unknown
}): Promise<Figures> {
  const { prepare, release, once } = options
  const batch = async (prepared: T, runs: number): Promise<number> => {
    const begin = performance.now()
    for (let run = 0; run < runs; run++) await once(prepared)
    return performance.now() - begin
  }
  let runsPerSample = 1
  if (prepare === undefined) {
    // Grow the batch until it lasts MIN_SAMPLE_MS; this doubles as the first warm-up.
    for (let step = 0; step < 10; step++) {
      const elapsed = await batch(undefined as T, runsPerSample)
      if (elapsed >= MIN_SAMPLE_MS) break
      runsPerSample = Math.ceil(
        runsPerSample * Math.min(100, (1.2 * MIN_SAMPLE_MS) / Math.max(elapsed, 0.05)),
      )
    }
  }
  const repetition = async (): Promise<number> => {
    const prepared = (await prepare?.()) as T
    const elapsed = await batch(prepared, runsPerSample)
    await release?.(prepared)
    // Let the page breathe (GC, rendering) between repetitions so one run's leftovers do not land in the next.
    await new Promise((resolve) => setTimeout(resolve, 0))
    return elapsed
  }
  // The optimizing compiler takes over only after many calls: warm up for a while, not a fixed count.
  let warmedMs = 0
  let warmupReps = 0
  while (warmupReps < MAX_WARMUP_REPS && (warmupReps < options.warmup || warmedMs < options.warmupMs)) {
    warmedMs += await repetition()
    warmupReps++
  }
  const samplesMs: number[] = []
  for (let i = 0; i < options.reps; i++) samplesMs.push((await repetition()) / runsPerSample)
  const medianMs = median(samplesMs)
  const usPerTask = (medianMs * 1000) / options.size
  const minUsPerTask = (Math.min(...samplesMs) * 1000) / options.size
  return { samplesMs, runsPerSample, warmupReps, warmedMs, medianMs, usPerTask, minUsPerTask }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
