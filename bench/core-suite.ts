import { type Figures, measure } from './measure'
import { prepareRunner, RUNNER_NAMES, type RunnerModules, type RunnerName, runnerTakes } from './runners'
import { chain, depth, edgeCount, fanOut, randomDag, type Shape } from './shapes'

/**
 * The core benchmark in steady state: every runner on every shape, warmed up, then timed. The
 * same code runs in the page (bench/core.bench.ts, Chromium) and in Node (bench/node-core.ts), so
 * the two environments measure exactly the same thing.
 */
export interface CoreSettings {
  /** Measured repetitions per 1,000-task shape. */
  reps: number
  /** Measured repetitions of the 10,000-task DAG. */
  reps10k: number
  /** Unmeasured repetitions first, at least. */
  warmup: number
  /** The least time the warm-up lasts, ms. */
  warmupMs: number
  seed: number
  /** Shape names to run; all when undefined. */
  only?: string[]
  /** Runners to run; all when undefined. */
  runners?: RunnerName[]
}

/**
 * Records a CPU profile of the calls between `start` and `stop` (the page uses `console.profile`,
 * which the runner's DevTools session collects; Node uses its inspector).
 */
export interface Profiler {
  start(label: string): Promise<void> | void
  stop(label: string): Promise<void> | void
}

/** One shape's figures, per runner that ran it. */
export interface ShapeResult {
  shape: string
  tasks: number
  edges: number
  depth: number
  figures: Partial<Record<RunnerName, Figures>>
  /** Runners that failed on this shape, with why. */
  errors: Partial<Record<RunnerName, string>>
}

/** The four shapes, in the order they run. */
export function coreShapes(seed: number): Shape[] {
  return [chain(1000), fanOut(1000), randomDag(1000, seed), randomDag(10_000, seed)]
}

/** Reads the settings from `get` (URL query or command-line options); defaults for missing ones. */
export function coreSettings(get: (name: string) => string | null | undefined): CoreSettings {
  const settings: CoreSettings = {
    reps: positive(get('reps'), 15),
    reps10k: positive(get('reps10k'), 7),
    warmup: positive(get('warmup'), 1),
    warmupMs: positive(get('warmupMs'), 1500),
    seed: positive(get('seed'), 20240601),
  }
  const only = get('only')
  if (only) settings.only = only.split(',')
  const runners = get('runners')
  if (runners) {
    const asked = runners.split(',')
    const unknown = asked.filter((name) => !(RUNNER_NAMES as readonly string[]).includes(name))
    if (unknown.length > 0) {
      throw new Error(`runners ${JSON.stringify(runners)}: pick from ${RUNNER_NAMES.join(', ')}.`)
    }
    settings.runners = asked as RunnerName[]
  }
  return settings
}

/** Runs the suite; `onShape` sees each shape's result as soon as it is done. */
export async function runCoreSuite(
  settings: CoreSettings,
  modules: RunnerModules,
  onShape: (result: ShapeResult) => void,
  profiler?: Profiler,
): Promise<ShapeResult[]> {
  const results: ShapeResult[] = []
  for (const shape of coreShapes(settings.seed)) {
    if (settings.only && !settings.only.includes(shape.name)) continue
    const result: ShapeResult = {
      shape: shape.name,
      tasks: shape.size,
      edges: edgeCount(shape),
      depth: depth(shape),
      figures: {},
      errors: {},
    }
    for (const name of settings.runners ?? RUNNER_NAMES) {
      if (!runnerTakes(name, shape)) continue
      try {
        const figures = await measureRunner(name, shape, settings, modules)
        if (figures) result.figures[name] = figures
        else result.errors[name] = 'not loaded'
        if (figures && profiler) await profileRunner(name, shape, settings, modules, profiler)
      } catch (error) {
        result.errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error)
      }
    }
    results.push(result)
    onShape(result)
  }
  return results
}

async function measureRunner(
  name: RunnerName,
  shape: Shape,
  settings: CoreSettings,
  modules: RunnerModules,
): Promise<Figures | undefined> {
  const runner = await prepareRunner(name, shape, modules)
  if (runner === undefined) return undefined
  const common = {
    size: shape.size,
    reps: shape.size > 1000 ? settings.reps10k : settings.reps,
    warmup: settings.warmup,
    warmupMs: settings.warmupMs,
    once: runner.once,
  }
  return runner.fresh
    ? measure({ ...common, prepare: runner.fresh.make, release: runner.fresh.release })
    : measure(common)
}

/**
 * A CPU profile of the runner's steady state on the shape, right after its measurement (so
 * warm): `reps` runs back to back, each on an instance made before the profile starts, so that
 * the profile holds the runs and nothing of their set-up.
 */
async function profileRunner(
  name: RunnerName,
  shape: Shape,
  settings: CoreSettings,
  modules: RunnerModules,
  profiler: Profiler,
): Promise<void> {
  const runner = await prepareRunner(name, shape, modules)
  if (runner === undefined) return
  const reps = shape.size > 1000 ? settings.reps10k : settings.reps
  const instances: unknown[] = []
  for (let i = 0; i < reps; i++) instances.push(await runner.fresh?.make())
  const label = `${name}-${shape.name}`
  await profiler.start(label)
  try {
    for (const instance of instances) await runner.once(instance)
  } finally {
    await profiler.stop(label)
    for (const instance of instances) await runner.fresh?.release(instance)
  }
}

function positive(value: string | null | undefined, fallback: number): number {
  const n = value === null || value === undefined ? Number.NaN : Number(value)
  return Number.isInteger(n) && n >= 0 ? n : fallback
}
