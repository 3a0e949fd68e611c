import { type CoreSettings, coreSettings, runCoreSuite, type ShapeResult } from './core-suite'
import { loadEngine } from './engine-run'

/** The core page's figures: the steady-state suite (bench/core-suite.ts) in Chromium. */
export interface BenchResults {
  environment: 'chromium'
  userAgent: string
  /** True when performance.now() has its fine (5 µs) resolution. */
  crossOriginIsolated: boolean
  startedAt: string
  settings?: CoreSettings
  shapes: ShapeResult[]
  /** Why the engine part did not run, when it did not. */
  engineMissing?: string
  error?: string
}

declare global {
  interface Window {
    __benchDone?: boolean
    __benchResults?: unknown
  }
}

const query = new URLSearchParams(location.search)
const results: BenchResults = {
  environment: 'chromium',
  userAgent: navigator.userAgent,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  startedAt: new Date().toISOString(),
  shapes: [],
}
const log = document.querySelector('#log')

async function main(): Promise<void> {
  const settings = coreSettings((name) => query.get(name))
  results.settings = settings
  const loaded = await loadEngine()
  if (typeof loaded === 'string') results.engineMissing = loaded
  const spindle = typeof loaded === 'string' ? undefined : loaded
  // `?profile=1`: bench/run.mjs --profile collects these console profiles through DevTools.
  const profiler =
    query.get('profile') === '1'
      ? {
          start: (label: string) => console.profile(label),
          stop: (label: string) => console.profileEnd(label),
        }
      : undefined
  const onShape = (result: ShapeResult) => {
    if (log) log.textContent += `${JSON.stringify(result)}\n`
  }
  results.shapes = await runCoreSuite(settings, { spindle }, onShape, profiler)
}

main()
  .catch((error: unknown) => {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
  })
  .finally(() => {
    window.__benchResults = results
    window.__benchDone = true
  })
