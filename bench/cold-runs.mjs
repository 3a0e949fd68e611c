// @ts-check
/**
 * The cold figures: for every runner and shape, the first run in a fresh page or a fresh Node
 * process, `reps` times each. A fresh page is a new page in a new (incognito) browser context:
 * no HTTP cache, no compiled-code cache and no heap shared with anything measured before, as on
 * a user's first visit. A fresh process is a new `node`.
 */

import { runNode } from './node-runs.mjs'
import { runPage } from './page-runner.mjs'

/** The runners and shapes of the core suite (bench/runners.ts, bench/core-suite.ts). */
const RUNNERS = ['baseline', 'xstate', 'asl', 'engine']
const SHAPES = ['chain-1000', 'fan-out-1000', 'random-dag-1000', 'random-dag-10000']
/** ASL takes only the shapes it can express. */
const takes = (/** @type {string} */ runner, /** @type {string} */ shape) =>
  runner !== 'asl' || shape.startsWith('chain-') || shape.startsWith('fan-out-')

/**
 * @typedef {{ environment: string, runner: string, shape: string, firstRunMs: number[], prepareMs: number[],
 *             errors: string[] }} ColdFigures
 */

/**
 * @param {{ browser?: import('playwright-core').Browser, baseUrl?: string, reps: number, seed: string,
 *           only?: string[], timeoutMs: number, environments: ('chromium' | 'node')[] }} options
 * @returns {Promise<ColdFigures[]>}
 */
export async function coldRuns(options) {
  /** @type {ColdFigures[]} */
  const figures = []
  const shapes = SHAPES.filter((shape) => !options.only || options.only.includes(shape))
  for (const environment of options.environments) {
    for (const shape of shapes) {
      for (const runner of RUNNERS.filter((r) => takes(r, shape))) {
        /** @type {ColdFigures} */
        const entry = { environment, runner, shape, firstRunMs: [], prepareMs: [], errors: [] }
        for (let rep = 0; rep < options.reps; rep++) {
          const results = await coldOnce(environment, runner, shape, options)
          if (results?.cold) {
            entry.firstRunMs.push(results.cold.firstRunMs)
            entry.prepareMs.push(results.cold.prepareMs)
          } else {
            entry.errors.push(results?.error ?? 'no result')
          }
        }
        figures.push(entry)
      }
    }
  }
  return figures
}

/**
 * @param {'chromium' | 'node'} environment
 * @param {string} runner
 * @param {string} shape
 * @param {{ browser?: import('playwright-core').Browser, baseUrl?: string, seed: string, timeoutMs: number }} options
 */
async function coldOnce(environment, runner, shape, options) {
  if (environment === 'node') return runNode(['--cold', runner, '--shape', shape, '--seed', options.seed])
  if (!options.browser || !options.baseUrl)
    throw new Error('cold runs in Chromium need a browser and a server.')
  const context = await options.browser.newContext()
  try {
    const query = new URLSearchParams({ runner, shape, seed: options.seed })
    return await runPage(context, `${options.baseUrl}/cold.html?${query}`, options.timeoutMs, undefined)
  } finally {
    await context.close()
  }
}
