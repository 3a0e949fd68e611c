import { createEngine, type Engine, type EngineEvent, memoryStore } from 'spindle'
import { connectEngine } from 'spindle/client'
import { fanOut, toDefinition } from './shapes'

/**
 * The engine in a Web Worker, driven from this page (bench/worker.html):
 *
 * - round trip: median time of one engine call (`getRun` of an unknown run) from the page to the
 *   worker and back, next to the same call on an engine in the page itself;
 * - fan-out: a 10,000-task fan-out (one root, 9,999 children) run in the worker while the page
 *   subscribes to `events$`. `inWorkerMs` is the run's own time (workflow.started → completed, by
 *   the worker's clock); `deliveredMs` is from workflow.started until the page has received the
 *   last task.completed. The target: `ratio` = deliveredMs / inWorkerMs ≤ 1.5. The same run with no
 *   page subscriber shows what the subscription costs the worker. With `mirrored`, the worker
 *   also mirrors every event on a BroadcastChannel, as it does when its engine names its store.
 *
 * Query options: `calls` (round trips timed, default 2000), `reps` (fan-out runs per variant,
 * default 5), `size` (fan-out tasks, default 10000).
 */

interface FanOutRun {
  inWorkerMs: number
  deliveredMs?: number
  ratio?: number
  events?: number
  messages?: number
  eventsPerSecond?: number
}

interface FanOutFigures {
  variant: 'no subscriber' | 'subscribed' | 'subscribed, mirrored'
  runs: FanOutRun[]
  medianInWorkerMs: number
  medianDeliveredMs?: number
  medianRatio?: number
  medianEventsPerSecond?: number
  medianEventsPerMessage?: number
}

export interface WorkerBenchResults {
  userAgent: string
  crossOriginIsolated: boolean
  startedAt: string
  settings: { calls: number; reps: number; size: number }
  /** µs per call: one call per sample through the worker, the mean of 100 calls per sample on the page. */
  roundTrip?: { workerMedianUs: number; workerP95Us: number; pageMedianUs: number }
  fanOut: FanOutFigures[]
  error?: string
}

const query = new URLSearchParams(location.search)
const settings = {
  calls: positive(query.get('calls'), 2000),
  reps: positive(query.get('reps'), 5),
  size: positive(query.get('size'), 10_000),
}
const results: WorkerBenchResults = {
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  startedAt: new Date().toISOString(),
  settings,
  fanOut: [],
}
const log = document.querySelector('#log')
const show = (line: unknown) => {
  if (log) log.textContent += `${typeof line === 'string' ? line : JSON.stringify(line)}\n`
}

/**
 * µs per call of `getRun` for an unknown run, one sample per `perSample` calls back to back (a
 * call on the page itself is shorter than the timer's 5 µs resolution: it needs batches).
 */
async function roundTrip(engine: Engine, calls: number, perSample: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) await engine.getRun('absent')
  const samples: number[] = []
  for (let i = 0; i < calls; i += perSample) {
    const begin = performance.now()
    for (let j = 0; j < perSample; j++) await engine.getRun('absent')
    samples.push(((performance.now() - begin) * 1000) / perSample)
  }
  return samples
}

/** One fan-out run; with `subscribe`, the page follows its events until the last task.completed. */
async function fanOutRun(
  engine: Engine,
  definitionId: string,
  runId: string,
  subscribe: boolean,
): Promise<FanOutRun> {
  if (!subscribe) {
    await engine.start(definitionId, {}, { runId })
    const view = await engine.wait(runId, { timeoutMs: 600_000 })
    if (view.status !== 'completed') throw new Error(`run ${runId} ended ${view.status}`)
    return { inWorkerMs: view.updatedAt - view.createdAt }
  }
  // The client's own counters are internal to the package, so messages are counted here: the
  // events of one message arrive in one task, one after another, and a microtask queued at the
  // first of them runs only after the last.
  let messages = 0
  let inMessage = false
  let started = Number.NaN
  let completed = Number.NaN
  let lastTaskReceived = Number.NaN
  let firstReceived = Number.NaN
  let lastReceived = Number.NaN
  let tasks = 0
  let events = 0
  const done = new Promise<void>((resolve, reject) => {
    const subscription = engine.events$.subscribe({
      next: (event: EngineEvent) => {
        if (!inMessage) {
          inMessage = true
          messages++
          queueMicrotask(() => {
            inMessage = false
          })
        }
        if (event.runId !== runId) return
        const now = Date.now()
        if (events++ === 0) firstReceived = now
        lastReceived = now
        if (event.type === 'workflow.started') started = event.at
        if (event.type === 'task.completed' && ++tasks === settings.size) lastTaskReceived = now
        if (event.type === 'workflow.completed') completed = event.at
        if (event.type === 'workflow.failed') reject(new Error(`run ${runId} failed: ${event.error.message}`))
        if (!Number.isNaN(completed) && !Number.isNaN(lastTaskReceived)) {
          subscription.unsubscribe()
          resolve()
        }
      },
      error: reject,
    })
  })
  await engine.start(definitionId, {}, { runId })
  await done
  const inWorkerMs = completed - started
  const deliveredMs = lastTaskReceived - started
  return {
    inWorkerMs,
    deliveredMs,
    ratio: deliveredMs / inWorkerMs,
    events,
    messages,
    eventsPerSecond: events / (Math.max(1, lastReceived - firstReceived) / 1000),
  }
}

async function benchFanOut(variant: FanOutFigures['variant']): Promise<FanOutFigures> {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), {
    type: 'module',
    name: variant === 'subscribed, mirrored' ? `spindle:bench-${crypto.randomUUID()}` : '',
  })
  const engine = connectEngine(worker)
  try {
    const definition = toDefinition(fanOut(settings.size))
    await engine.register(definition)
    const subscribe = variant !== 'no subscriber'
    for (let warm = 0; warm < 2; warm++) {
      await fanOutRun(engine, definition.id, `warm-up-${crypto.randomUUID()}`, subscribe)
    }
    const runs: FanOutRun[] = []
    for (let rep = 0; rep < settings.reps; rep++) {
      runs.push(await fanOutRun(engine, definition.id, `run-${rep}-${crypto.randomUUID()}`, subscribe))
      show({ variant, ...runs.at(-1) })
    }
    const figures: FanOutFigures = { variant, runs, medianInWorkerMs: median(runs.map((r) => r.inWorkerMs)) }
    if (subscribe) {
      figures.medianDeliveredMs = median(runs.map((r) => r.deliveredMs!))
      figures.medianRatio = median(runs.map((r) => r.ratio!))
      figures.medianEventsPerSecond = median(runs.map((r) => r.eventsPerSecond!))
      figures.medianEventsPerMessage = median(runs.map((r) => r.events! / r.messages!))
    }
    return figures
  } finally {
    await engine.close()
    worker.terminate()
  }
}

async function main(): Promise<void> {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: '' })
  const remote = connectEngine(worker)
  const local = createEngine({ store: memoryStore(), recover: false })
  try {
    const workerSamples = await roundTrip(remote, settings.calls, 1)
    const pageSamples = await roundTrip(local, settings.calls, 100)
    results.roundTrip = {
      workerMedianUs: median(workerSamples),
      workerP95Us: quantile(workerSamples, 0.95),
      pageMedianUs: median(pageSamples),
    }
    show({ roundTrip: results.roundTrip })
  } finally {
    await Promise.all([remote.close(), local.close()])
    worker.terminate()
  }
  for (const variant of ['no subscriber', 'subscribed', 'subscribed, mirrored'] as const) {
    const figures = await benchFanOut(variant)
    results.fanOut.push(figures)
    show({ ...figures, runs: undefined })
  }
}

function median(values: number[]): number {
  return quantile(values, 0.5)
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function positive(value: string | null, fallback: number): number {
  const n = Number(value)
  return value !== null && Number.isInteger(n) && n > 0 ? n : fallback
}

main()
  .catch((error: unknown) => {
    results.error = error instanceof Error ? `${error.message}\n${error.stack}` : String(error)
    show(`error: ${results.error}`)
  })
  .finally(() => {
    const page = window as unknown as { __benchResults?: WorkerBenchResults; __benchDone?: boolean }
    page.__benchResults = results
    page.__benchDone = true
  })
