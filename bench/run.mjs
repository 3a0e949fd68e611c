// @ts-check
/**
 * Measures the production build, in Chromium and in Node, and prints the figures.
 *
 *   node bench/run.mjs [--page core,cold,worker,durable,inbox,studio,bundles] [--profile] [--skip-build]
 *                      [--timeout 1200000] [--coldReps 3] [page options]
 *
 * First `npm run build` (dist/, the files the package ships), then the benchmark pages and the
 * Node runner bundled against dist/ in production mode (bench/build-bench.mjs). Then, in order:
 *   core     the steady state of four graph shapes, the engine next to a bare Promise runner,
 *            the XState floor and aws-local-stepfunctions: in Node (bench/node-core.ts, a child
 *            process), then in Chromium (bench/index.html); printed side by side with the targets
 *            --reps 15 --reps10k 7 --warmup 1 --warmupMs 1500 --seed 20240601 --only … --runners …
 *   cold     the first run of each runner and shape in a fresh page (new browser context) and in a
 *            fresh Node process, --coldReps times each
 *   worker   bench/worker.html: the engine in a Web Worker: round trips, event delivery
 *            --calls 2000 --reps 5 --size 10000
 *   durable  bench/durable.html: real IndexedDB, next to a bare commit
 *   inbox    bench/inbox.html: the approvals inbox of 10,000 waiting runs on real IndexedDB
 *            --reps 5 --recoveryReps 3 --commits 300 --runs 1000 --parts chain,fan-out,recovery
 *   studio   bench/studio.html: the studio's run graph (layout, SVG) of 100 to 10,000 tasks
 *            --reps 7 --sizes 100,300,1000,10000
 *   bundles  min+gz of each package entry's static graph, as an application ships it
 * A page option goes to every page that reads it (`--reps` to core, worker and durable).
 *
 * Chromium (CHROMIUM_PATH, default /usr/bin/chromium) runs headless with a throwaway profile on
 * disk for the core, worker and durable pages; the built pages are served by a static server on
 * 127.0.0.1, cross-origin isolated. Every figure goes to bench/.results/latest.json. With
 * --profile, a CPU profile of each Chromium page's main thread and of the Node core run, and
 * their summaries (the pages are then built unminified, for readable names). Exits non-zero when
 * anything fails.
 */
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { constants as osConstants, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { buildNode, buildPackage, buildPages, servePages } from './build-bench.mjs'
import { bundleSizes } from './bundle-size.mjs'
import { coldRuns } from './cold-runs.mjs'
import { coreVerdicts, printBundles, printCold, printSteady, printVerdicts } from './core-tables.mjs'
import { summarizeProfiles } from './cpu-profile.mjs'
import { printInbox } from './inbox-tables.mjs'
import { runNode } from './node-runs.mjs'
import { runPage } from './page-runner.mjs'
import { printStudio } from './studio-tables.mjs'
import { printDurable, printWorker } from './tables.mjs'

const resultsDir = fileURLToPath(new URL('./.results/', import.meta.url))
const resultsFile = join(resultsDir, 'latest.json')

const PAGE_NAMES = ['core', 'cold', 'worker', 'durable', 'inbox', 'studio', 'bundles']
/** The options each part reads. */
const OPTIONS = {
  core: ['reps', 'reps10k', 'warmup', 'warmupMs', 'seed', 'only', 'runners'],
  cold: ['coldReps', 'seed', 'only'],
  worker: ['calls', 'reps', 'size'],
  durable: ['reps', 'recoveryReps', 'commits', 'runs', 'parts'],
  inbox: ['reps', 'approvals'],
  studio: ['reps', 'sizes'],
}
const ALL_OPTIONS = [...new Set(Object.values(OPTIONS).flat())]
const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
}

/**
 * @param {string[]} argv
 */
function parseArgs(argv) {
  let pages = PAGE_NAMES
  /** @type {Map<string, string>} */
  const options = new Map()
  let timeoutMs = 20 * 60_000
  let profile = false
  let skipBuild = false
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? ''
    const name = flag.replace(/^--/, '')
    if (flag === '--profile' || flag === '--skip-build') {
      if (flag === '--profile') profile = true
      else skipBuild = true
      continue
    }
    const value = argv[++i]
    const known = name === 'page' || name === 'timeout' || ALL_OPTIONS.includes(name)
    if (!flag.startsWith('--') || !known || value === undefined) {
      throw new Error(
        `Unknown or incomplete option ${JSON.stringify(flag)}. Use --page ${PAGE_NAMES.join('|')}, --profile, --skip-build, --timeout MS, or --${ALL_OPTIONS.join(' N, --')} N.`,
      )
    }
    if (name === 'page') {
      const asked = value.split(',')
      const unknown = asked.filter((page) => !PAGE_NAMES.includes(page))
      if (unknown.length > 0)
        throw new Error(`--page ${JSON.stringify(value)}: pick from ${PAGE_NAMES.join(', ')}.`)
      pages = PAGE_NAMES.filter((page) => asked.includes(page))
    } else if (name === 'timeout') {
      timeoutMs = Number(value)
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new Error(`--timeout must be a positive number of ms; got ${JSON.stringify(value)}.`)
      }
    } else {
      options.set(name, value)
    }
  }
  return { pages, options, timeoutMs, profile, skipBuild }
}

/**
 * @param {Map<string, string>} options
 * @param {string[]} names
 */
function pick(options, names) {
  return names.filter((name) => options.has(name)).map((name) => [name, options.get(name) ?? ''])
}

/** @param {any} results */
function failed(results) {
  const shapeErrors = results?.shapes?.some((/** @type {any} */ r) => Object.keys(r.errors ?? {}).length > 0)
  return Boolean(results?.error) || Boolean(shapeErrors)
}

async function main() {
  const { pages, options, timeoutMs, profile, skipBuild } = parseArgs(process.argv.slice(2))
  const profileDir = await mkdtemp(join(tmpdir(), 'spindle-bench-'))
  // Interrupted (Ctrl-C, a killed job): Playwright ends Chromium with this process; the profile
  // folder is left to us.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      rmSync(profileDir, { recursive: true, force: true })
      process.exit(128 + osConstants.signals[signal])
    })
  }
  /** @type {{ startedAt: string, argv: string[], browser?: string, node: string, pages: Record<string, any> }} */
  const all = {
    startedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    node: process.version,
    pages: {},
  }
  let anyFailed = false
  /** @type {{ port: number, close: () => Promise<void> } | undefined} */
  let server
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context
  /** @type {import('playwright-core').Browser | undefined} */
  let coldBrowser
  const save = () => writeFile(resultsFile, `${JSON.stringify(all, null, 2)}\n`)
  try {
    await mkdir(resultsDir, { recursive: true })
    if (!skipBuild) {
      console.log('== building: npm run build (dist/), then the pages and the Node runner against dist/')
      await buildPackage()
      await buildPages({ minify: !profile })
      await buildNode()
    }
    server = await servePages()
    const baseUrl = `http://127.0.0.1:${server.port}`
    // A profile on disk, not an incognito one: Chromium keeps an incognito profile's IndexedDB in
    // memory, so durable writes would never reach the disk and the durable figures would flatter.
    context = await chromium.launchPersistentContext(profileDir, CHROMIUM)
    all.browser = context.browser()?.version()
    /**
     * @param {string} name
     * @param {string} html
     */
    const page = async (name, html) => {
      const query = new URLSearchParams(pick(options, OPTIONS[/** @type {'core'} */ (name)]))
      if (profile && name === 'core') query.set('profile', '1')
      const url = `${baseUrl}/${html}?${query}`
      console.log(`\n== ${name}: ${url} (Chromium ${all.browser ?? ''})\n`)
      const profileFile = profile ? join(resultsDir, `${name}.cpuprofile`) : undefined
      return runPage(context ?? fail('no browser'), url, timeoutMs, profileFile)
    }
    for (const name of pages) {
      try {
        if (name === 'core') {
          console.log('\n== core in Node (node on the bundle of bench/node-core.ts, spindle from dist/)\n')
          const nodeArgs = pick(options, OPTIONS.core).flatMap(([key, value]) => [`--${key}`, value])
          const nodeProfileDir = profile ? join(resultsDir, 'node-profile') : undefined
          if (nodeProfileDir) {
            await rm(nodeProfileDir, { recursive: true, force: true })
            await mkdir(nodeProfileDir, { recursive: true })
          }
          const node = await runNode(nodeArgs, { progress: true, cpuProfileDir: nodeProfileDir })
          if (nodeProfileDir) for (const line of await summarizeProfiles(nodeProfileDir)) console.log(line)
          const chromiumCore = await page('core', 'index.html')
          all.pages.core = {
            node,
            chromium: chromiumCore,
            verdicts: coreVerdicts({ node, chromium: chromiumCore }),
          }
          console.log('')
          printSteady(all.pages.core)
          console.log('')
          printVerdicts(all.pages.core.verdicts)
          console.log(`node: ${node.node} on ${node.cpu}; settings ${JSON.stringify(node.settings)}`)
          console.log(
            `chromium: ${chromiumCore.userAgent} (cross-origin isolated: ${chromiumCore.crossOriginIsolated})`,
          )
          for (const part of [node, chromiumCore]) if (part.error) console.log(`error: ${part.error}`)
          anyFailed ||= failed(node) || failed(chromiumCore)
        } else if (name === 'cold') {
          console.log('\n== cold: first runs in fresh pages and fresh Node processes\n')
          coldBrowser = await chromium.launch(CHROMIUM)
          const only = options.get('only')?.split(',')
          const cold = await coldRuns({
            browser: coldBrowser,
            baseUrl,
            reps: Number(options.get('coldReps') ?? 3),
            seed: options.get('seed') ?? '20240601',
            ...(only ? { only } : {}),
            timeoutMs,
            environments: ['chromium', 'node'],
          })
          all.pages.cold = cold
          printCold(cold, median)
          anyFailed ||= cold.some((c) => c.errors.length > 0)
        } else if (name === 'bundles') {
          console.log('\n== bundles\n')
          all.pages.bundles = await bundleSizes()
          printBundles(all.pages.bundles)
        } else {
          const results = await page(name, `${name}.html`)
          all.pages[name] = results
          /** @type {Record<string, (results: any) => void>} */
          const printers = {
            worker: printWorker,
            durable: printDurable,
            inbox: printInbox,
            studio: printStudio,
          }
          printers[name]?.(results)
          console.log(`browser: ${results.userAgent} (cross-origin isolated: ${results.crossOriginIsolated})`)
          if (results.error) console.log(`page error: ${results.error}`)
          anyFailed ||= failed(results)
        }
      } catch (error) {
        all.pages[name] = { error: error instanceof Error ? error.message : String(error) }
        console.error(`${name}: ${all.pages[name].error}`)
        anyFailed = true
      }
      // Written after every part, so the figures of finished parts survive a later failure.
      await save()
    }
    console.log(`\nraw results: ${resultsFile}`)
    process.exitCode = anyFailed ? 1 : 0
  } finally {
    await coldBrowser?.close()
    await context?.close()
    await server?.close()
    await rm(profileDir, { recursive: true, force: true })
  }
}

/**
 * @param {number[]} values
 */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/**
 * @param {string} why
 * @returns {never}
 */
function fail(why) {
  throw new Error(why)
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
