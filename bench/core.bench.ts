import { prepareBaseline, runBaseline } from './baseline'
import { loadEngine, prepareEngine, runEngine, type Spindle } from './engine-run'
import { type Figures, measure } from './measure'
import { chain, depth, edgeCount, fanOut, randomDag, type Shape, toDefinition } from './shapes'

/** One shape's figures. `ratio` is engine µs/task ÷ baseline µs/task. */
export interface ShapeResult {
  shape: string
  tasks: number
  edges: number
  depth: number
  baseline: Figures
  engine?: Figures
  engineError?: string
  ratio?: number
}

export interface BenchResults {
  userAgent: string
  /** True when performance.now() has its fine (5 µs) resolution. */
  crossOriginIsolated: boolean
  startedAt: string
  settings: { reps: number; reps10k: number; warmup: number; warmupMs: number; seed: number }
  shapes: ShapeResult[]
  /**
   * Per-task time of random-dag-10000 ÷ that of random-dag-1000: 1 means linear scaling.
   * `engineFastest` compares the fastest repetitions, which other load disturbs least.
   */
  scaling: { baseline?: number; engine?: number; engineFastest?: number }
  /** Why the engine part did not run, when it did not. */
  engineMissing?: string
  error?: string
}

declare global {
  interface Window {
    __benchDone?: boolean
    __benchResults?: BenchResults
  }
}

const query = new URLSearchParams(location.search)
const settings = {
  reps: positive(query.get('reps'), 15),
  reps10k: positive(query.get('reps10k'), 7),
  warmup: positive(query.get('warmup'), 1),
  warmupMs: positive(query.get('warmupMs'), 1500),
  seed: positive(query.get('seed'), 20240601),
}
const only = query.get('only')?.split(',')

const results: BenchResults = {
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  startedAt: new Date().toISOString(),
  settings,
  shapes: [],
  scaling: {},
}

const log = document.querySelector('#log')

async function benchShape(shape: Shape, spindle: Spindle | undefined): Promise<ShapeResult> {
  const reps = shape.size > 1000 ? settings.reps10k : settings.reps
  const base = { size: shape.size, reps, warmup: settings.warmup, warmupMs: settings.warmupMs }
  const graph = prepareBaseline(shape)
  const baseline = await measure({ ...base, once: () => runBaseline(graph) })
  const result: ShapeResult = {
    shape: shape.name,
    tasks: shape.size,
    edges: edgeCount(shape),
    depth: depth(shape),
    baseline,
  }
  if (spindle !== undefined) {
    const definition = toDefinition(shape)
    try {
      result.engine = await measure({
        ...base,
        prepare: () => prepareEngine(spindle, definition),
        once: (engine) => runEngine(engine, definition.id),
        release: (engine) => engine.close(),
      })
      result.ratio = result.engine.usPerTask / baseline.usPerTask
    } catch (error) {
      result.engineError = error instanceof Error ? (error.stack ?? error.message) : String(error)
    }
  }
  return result
}

async function main(): Promise<void> {
  const loaded = await loadEngine()
  if (typeof loaded === 'string') results.engineMissing = loaded
  const spindle = typeof loaded === 'string' ? undefined : loaded
  const shapes = [chain(1000), fanOut(1000), randomDag(1000, settings.seed), randomDag(10_000, settings.seed)]
  for (const shape of shapes) {
    if (only && !only.includes(shape.name)) continue
    const result = await benchShape(shape, spindle)
    results.shapes.push(result)
    if (log) log.textContent += `${JSON.stringify(result)}\n`
  }
  const small = results.shapes.find((r) => r.shape === 'random-dag-1000')
  const large = results.shapes.find((r) => r.shape === 'random-dag-10000')
  if (small && large) {
    results.scaling.baseline = large.baseline.usPerTask / small.baseline.usPerTask
    if (small.engine && large.engine) {
      results.scaling.engine = large.engine.usPerTask / small.engine.usPerTask
      results.scaling.engineFastest = large.engine.minUsPerTask / small.engine.minUsPerTask
    }
  }
}

function positive(value: string | null, fallback: number): number {
  const n = value === null ? Number.NaN : Number(value)
  return Number.isInteger(n) && n >= 0 ? n : fallback
}

main()
  .catch((error: unknown) => {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
  })
  .finally(() => {
    window.__benchResults = results
    window.__benchDone = true
  })
