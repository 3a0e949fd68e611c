// @ts-check
/**
 * The core figures of Chromium and Node side by side, their targets, the cold runs and the
 * bundle sizes, as `bench/run.mjs` prints them.
 */
import { figure, printRows } from './tables.mjs'

const RUNNERS = ['baseline', 'xstate', 'asl', 'engine']
const ENVIRONMENTS = /** @type {const} */ (['chromium', 'node'])

/**
 * @typedef {{ shape: string, tasks: number, figures: Record<string, { usPerTask: number, minUsPerTask: number }>,
 *             errors: Record<string, string> }} ShapeResult
 * @typedef {{ shapes?: ShapeResult[] } | undefined} CoreResults
 * @typedef {{ target: string, shape: string, environment: string, value: number, limit: number,
 *             met: boolean }} Verdict
 */

/**
 * @param {CoreResults} results
 * @param {string} shape
 * @param {string} runner
 * @returns {number | undefined} median µs per task
 */
function usPerTask(results, shape, runner) {
  return results?.shapes?.find((s) => s.shape === shape)?.figures[runner]?.usPerTask
}

/**
 * Every core target, per shape and environment: engine ÷ XState floor ≤ 1.5, engine ÷ ASL < 1
 * (faster), DAG 10,000 ÷ DAG 1,000 per task ≤ 1.5, Node ÷ Chromium ≤ 2. A figure that is missing
 * (a runner failed or was not run) gives no verdict.
 * @param {{ chromium: CoreResults, node: CoreResults }} core
 * @returns {Verdict[]}
 */
export function coreVerdicts(core) {
  /** @type {Verdict[]} */
  const verdicts = []
  /**
   * @param {string} target @param {string} shape @param {string} environment
   * @param {number | undefined} value @param {number} limit @param {boolean} strict below, not at
   */
  const add = (target, shape, environment, value, limit, strict = false) => {
    if (value === undefined || !Number.isFinite(value)) return
    verdicts.push({ target, shape, environment, value, limit, met: strict ? value < limit : value <= limit })
  }
  const shapes = [...new Set(ENVIRONMENTS.flatMap((env) => core[env]?.shapes?.map((s) => s.shape) ?? []))]
  for (const env of ENVIRONMENTS) {
    for (const shape of shapes) {
      const engine = usPerTask(core[env], shape, 'engine')
      const floor = usPerTask(core[env], shape, 'xstate')
      const asl = usPerTask(core[env], shape, 'asl')
      add('engine ÷ XState floor', shape, env, engine && floor && engine / floor, 1.5)
      add('engine ÷ aws-local-stepfunctions', shape, env, engine && asl && engine / asl, 1, true)
    }
    const small = usPerTask(core[env], 'random-dag-1000', 'engine')
    const large = usPerTask(core[env], 'random-dag-10000', 'engine')
    add('engine DAG 10,000 ÷ DAG 1,000, per task', 'random-dag', env, large && small && large / small, 1.5)
  }
  for (const shape of shapes) {
    const chromium = usPerTask(core.chromium, shape, 'engine')
    const node = usPerTask(core.node, shape, 'engine')
    add('engine Node ÷ Chromium', shape, 'both', node && chromium && node / chromium, 2)
  }
  return verdicts
}

/**
 * Steady state: median µs per task of each runner, a row per shape and environment.
 * @param {{ chromium: CoreResults, node: CoreResults }} core
 */
export function printSteady(core) {
  const rows = [
    ['shape', 'env', 'baseline', 'XState floor', 'ASL', 'engine', '(fastest)', 'engine÷floor', 'engine÷ASL'],
  ]
  const shapes = [...new Set(ENVIRONMENTS.flatMap((env) => core[env]?.shapes?.map((s) => s.shape) ?? []))]
  for (const shape of shapes) {
    for (const env of ENVIRONMENTS) {
      const result = core[env]?.shapes?.find((s) => s.shape === shape)
      if (!result) continue
      const us = (/** @type {string} */ runner) => result.figures[runner]?.usPerTask
      const engine = us('engine')
      const floor = us('xstate')
      const asl = us('asl')
      rows.push([
        shape,
        env,
        ...RUNNERS.map((runner) => figure(us(runner))),
        figure(result.figures.engine?.minUsPerTask),
        figure(engine && floor && engine / floor),
        figure(engine && asl && engine / asl),
      ])
    }
  }
  console.log('Steady state (after the warm-up), median µs per task:')
  printRows(rows)
  for (const env of ENVIRONMENTS) {
    for (const result of core[env]?.shapes ?? []) {
      for (const [runner, why] of Object.entries(result.errors)) {
        console.log(
          `${env}: ${runner} failed on ${result.shape}: ${why.split('\n').slice(0, 4).join('\n  ')}`,
        )
      }
    }
  }
}

/**
 * @param {Verdict[]} verdicts
 */
export function printVerdicts(verdicts) {
  const rows = [['target', 'shape', 'env', 'value', 'limit', '']]
  for (const v of verdicts) {
    const limit = v.target.includes('stepfunctions') ? `< ${figure(v.limit)}` : `≤ ${figure(v.limit)}`
    rows.push([v.target, v.shape, v.environment, figure(v.value), limit, v.met ? 'met' : 'MISSED'])
  }
  console.log('Core targets (ratios of the steady-state medians):')
  printRows(rows)
}

/**
 * Cold: the first run of a fresh page (a new browser context each) or a fresh Node process.
 * @param {{ environment: string, runner: string, shape: string, firstRunMs: number[], prepareMs: number[],
 *           errors: string[] }[]} cold
 * @param {(values: number[]) => number} median
 */
export function printCold(cold, median) {
  const rows = [
    ['shape', 'env', ...RUNNERS.map((r) => `${r === 'xstate' ? 'XState floor' : r} ms`), 'engine set-up ms'],
  ]
  const keys = [...new Set(cold.map((c) => `${c.shape}\t${c.environment}`))]
  for (const key of keys) {
    const [shape, env] = key.split('\t')
    const cell = (/** @type {string} */ runner, /** @type {'firstRunMs' | 'prepareMs'} */ what) => {
      const found = cold.find((c) => c.shape === shape && c.environment === env && c.runner === runner)
      return found && found[what].length > 0 ? figure(median(found[what])) : '—'
    }
    rows.push([
      shape ?? '',
      env ?? '',
      ...RUNNERS.map((r) => cell(r, 'firstRunMs')),
      cell('engine', 'prepareMs'),
    ])
  }
  const reps = Math.max(0, ...cold.map((c) => c.firstRunMs.length))
  console.log(`Cold: the first run in a fresh page or process, ms (median of ${reps}):`)
  printRows(rows)
  for (const c of cold) {
    for (const error of c.errors)
      console.log(`cold ${c.environment} ${c.runner} ${c.shape} failed: ${error.split('\n')[0]}`)
  }
}

/**
 * @param {{ entries: { entry: string, where: string, static: { minBytes: number, gzipBytes: number, chunks: number },
 *           onDemand: { minBytes: number, gzipBytes: number, chunks: number },
 *           assets: { file: string, minBytes: number, gzipBytes: number }[] }[],
 *           defaultWorker?: { file: string, minBytes: number, gzipBytes: number } }} sizes
 */
export function printBundles(sizes) {
  const kb = (/** @type {number} */ bytes) => (bytes / 1024).toFixed(1)
  const rows = [
    ['entry (all exports)', 'loads in', 'static min kB', 'static min+gz kB', 'on demand min+gz kB'],
  ]
  for (const e of sizes.entries) {
    rows.push([e.entry, e.where, kb(e.static.minBytes), kb(e.static.gzipBytes), kb(e.onDemand.gzipBytes)])
  }
  if (sizes.defaultWorker) {
    const w = sizes.defaultWorker
    rows.push([`default worker (${w.file})`, 'worker', kb(w.minBytes), kb(w.gzipBytes), '—'])
  }
  console.log('Bundles, as an application built in production mode ships them (gzip -9):')
  printRows(rows)
}
