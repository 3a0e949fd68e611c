import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { coldRun } from './cold-run'
import { coreSettings, type Profiler, runCoreSuite } from './core-suite'
import { loadEngine } from './engine-run'
import type { RunnerName } from './runners'

/**
 * The core benchmark in plain Node, on the production build: `spindle` resolves through the
 * package's own `exports` to dist/spindle.js (bench/run.mjs bundles this file with `spindle`,
 * `xstate` and `aws-local-stepfunctions` left external and runs the bundle with `node`).
 *
 *   node node-core.mjs [--reps N --reps10k N --warmup N --warmupMs MS --seed N --only a,b --runners a,b]
 *   node node-core.mjs --cold engine --shape chain-1000 [--seed N]
 *
 * Prints one line of JSON on stdout: the steady-state results, or one cold result.
 */

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node ≥ 22); Node 20 lacks it. The
// engine never calls it, so this spec-equivalent stand-in only lets the peer run.
const promises = Promise as PromiseConstructor & { withResolvers?: unknown }
if (typeof promises.withResolvers !== 'function') {
  promises.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new Promise<T>((yes, no) => {
      resolve = yes
      reject = no
    })
    return { promise, resolve, reject }
  }
}

const OPTIONS = [
  'reps',
  'reps10k',
  'warmup',
  'warmupMs',
  'seed',
  'only',
  'runners',
  'cold',
  'shape',
  'profileDir',
]

/**
 * With `--profileDir`, each runner's steady state is profiled through this process's own
 * inspector, one `<runner>-<shape>.cpuprofile` per runner and shape (bench/core-suite.ts).
 */
function inspectorProfiler(dir: string): Profiler {
  const session = new Session()
  session.connect()
  return {
    start: async () => {
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: 200 })
      await session.post('Profiler.start')
    },
    stop: async (label) => {
      const { profile } = await session.post('Profiler.stop')
      await writeFile(join(dir, `${label}.cpuprofile`), JSON.stringify(profile))
    },
  }
}

async function main(): Promise<unknown> {
  const { values } = parseArgs({
    options: Object.fromEntries(OPTIONS.map((name) => [name, { type: 'string' as const }])),
  })
  const get = (name: string) => values[name] as string | undefined
  const environment = {
    environment: 'node',
    node: process.version,
    cpu: cpus()[0]?.model,
    memoryBytes: totalmem(),
    startedAt: new Date().toISOString(),
  }
  const cold = get('cold') as RunnerName | undefined
  if (cold !== undefined) {
    const loaded = cold === 'engine' ? await loadEngine() : undefined
    if (typeof loaded === 'string') throw new Error(loaded)
    const result = await coldRun(cold, get('shape') ?? 'chain-1000', Number(get('seed') ?? 20240601), {
      spindle: loaded,
    })
    return { ...environment, cold: result }
  }
  const settings = coreSettings(get)
  const loaded = await loadEngine()
  const spindle = typeof loaded === 'string' ? undefined : loaded
  const profileDir = get('profileDir')
  const profiler = profileDir === undefined ? undefined : inspectorProfiler(profileDir)
  const shapes = await runCoreSuite(
    settings,
    { spindle },
    (result) => {
      process.stderr.write(`${result.shape}: ${Object.keys(result.figures).join(', ')} done\n`)
    },
    profiler,
  )
  return {
    ...environment,
    settings,
    shapes,
    ...(typeof loaded === 'string' ? { engineMissing: loaded } : {}),
  }
}

main().then(
  (results) => {
    process.stdout.write(`${JSON.stringify(results)}\n`)
  },
  (error: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ environment: 'node', error: error instanceof Error ? (error.stack ?? error.message) : String(error) })}\n`,
    )
    process.exitCode = 1
  },
)
