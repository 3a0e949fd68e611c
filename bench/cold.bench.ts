import { type ColdResult, coldRun } from './cold-run'
import { loadEngine } from './engine-run'
import type { RunnerName } from './runners'

/**
 * The cold page: `?runner=engine&shape=chain-1000&seed=…` times the first run of one runner on
 * one shape in this fresh page (bench/cold-run.ts), and nothing else.
 */
interface ColdPageResults {
  environment: 'chromium'
  cold?: ColdResult
  error?: string
}

const query = new URLSearchParams(location.search)
const results: ColdPageResults = { environment: 'chromium' }

async function main(): Promise<void> {
  const runner = (query.get('runner') ?? 'engine') as RunnerName
  const shape = query.get('shape') ?? 'chain-1000'
  const seed = Number(query.get('seed') ?? 20240601)
  // Only the engine needs `spindle`: the other runners' first runs do not load it.
  const loaded = runner === 'engine' ? await loadEngine() : undefined
  if (typeof loaded === 'string') throw new Error(loaded)
  results.cold = await coldRun(runner, shape, seed, { spindle: loaded })
}

main()
  .catch((error: unknown) => {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
  })
  .finally(() => {
    window.__benchResults = results
    window.__benchDone = true
  })
