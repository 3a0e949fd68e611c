import type { RunView, WorkflowDefinition } from 'spindle'
import { DAGRE_LIMIT, layoutGraph, layoutWeight, layoutWith } from '../demo/graph-layout'
import { RunGraph } from '../demo/run-graph'
import { median } from './measure'
import { chain, fanOut, randomDag, type Shape, toDefinition } from './shapes'

/**
 * The studio's run graph (bench/studio.html), as the built studio draws it: for each shape
 * (chain, fan-out, random DAG) and size (100, 300, 1,000, 10,000 tasks), the median of `reps`
 * (7, after one unmeasured) of
 *
 * - `layout`: `layoutGraph(definition)`, dagre while the graph's weight (`layoutWeight`) is at
 *   most `DAGRE_LIMIT` (300), by depth above;
 * - `graph`: `new RunGraph(view, definition)`, the layout and the SVG of every node and edge, put
 *   in the page and laid out by the browser (a forced reflow) — what opening a run costs;
 * - the reference, measured in the same page: dagre and the by-depth layout on the same graph,
 *   at every size up to 1,000 (dagre on heavy graphs only to show why the studio stops using it).
 */

export interface StudioBenchResults {
  userAgent: string
  crossOriginIsolated: boolean
  startedAt: string
  settings: { reps: number; sizes: number[] }
  dagreLimit: number
  rows: {
    shape: string
    size: number
    layoutMs: number
    graphMs: number
    weight: number
    how: 'dagre' | 'depth'
    dagreMs?: number
    depthMs: number
  }[]
  error?: string
}

const query = new URLSearchParams(location.search)
const settings = {
  reps: Number(query.get('reps') ?? 7),
  sizes: (query.get('sizes') ?? '100,300,1000,10000').split(',').map(Number),
}
const results: StudioBenchResults = {
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  startedAt: new Date().toISOString(),
  settings,
  dagreLimit: DAGRE_LIMIT,
  rows: [],
}
/** dagre's layout grows faster than linearly: above this many tasks the reference is left out. */
const DAGRE_REFERENCE_MAX = 1000

/** The median of `reps` timings of `once`, after one unmeasured call. */
function timed(reps: number, once: () => void): number {
  once()
  const samples: number[] = []
  for (let i = 0; i < reps; i++) {
    const begin = performance.now()
    once()
    samples.push(performance.now() - begin)
  }
  return median(samples)
}

/** A run of the definition with every task pending, as `getRun` gives it before the run starts. */
function pendingView(definition: WorkflowDefinition): RunView {
  const tasks = Object.fromEntries(
    Object.keys(definition.tasks).map((id) => [id, { status: 'pending', attempts: 0 }]),
  )
  return {
    runId: 'bench',
    definitionId: definition.id,
    version: definition.version,
    tasks,
  } as unknown as RunView
}

async function main(): Promise<void> {
  try {
    const log = document.getElementById('log')!
    const host = document.createElement('div')
    document.body.append(host)
    for (const size of settings.sizes) {
      const shapes: Shape[] = [chain(size), fanOut(size), randomDag(size, 20240601)]
      for (const shape of shapes) {
        const definition = toDefinition(shape)
        const layoutMs = timed(settings.reps, () => layoutGraph(definition))
        const view = pendingView(definition)
        const graphMs = timed(settings.reps, () => {
          const graph = new RunGraph(view, definition, () => undefined)
          host.replaceChildren(graph.element)
          // The browser lays the SVG out, as it would before painting it.
          void host.getBoundingClientRect().height
        })
        host.replaceChildren()
        const depthMs = timed(settings.reps, () => layoutWith(definition, 'depth'))
        const dagreMs =
          size <= DAGRE_REFERENCE_MAX
            ? timed(Math.min(settings.reps, 3), () => layoutWith(definition, 'dagre'))
            : undefined
        results.rows.push({
          shape: shape.name.replace(/-\d+$/, ''),
          size,
          weight: layoutWeight(definition),
          how: layoutGraph(definition).how,
          layoutMs,
          graphMs,
          depthMs,
          ...(dagreMs === undefined ? {} : { dagreMs }),
        })
        log.textContent += `${shape.name}: layout ${layoutMs.toFixed(2)} ms, graph ${graphMs.toFixed(2)} ms\n`
        // The page stays responsive between shapes (and its load event is not held back).
        await new Promise((resolve) => setTimeout(resolve, 0))
      }
    }
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
  } finally {
    const page = window as unknown as { __benchResults?: StudioBenchResults; __benchDone?: boolean }
    page.__benchResults = results
    page.__benchDone = true
  }
}

// After the load event: the measurements take seconds.
addEventListener('load', () => setTimeout(() => void main(), 0))
