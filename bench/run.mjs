// @ts-check
/**
 * Runs the benchmark pages in headless Chromium and prints their figures.
 *
 *   node bench/run.mjs [--page core,worker,durable] [--profile] [--timeout 1200000] [page options]
 *
 * Pages (all of them, in this order, unless --page names some):
 *   core     bench/index.html    engine vs a bare Promise runner on a memory store
 *            --reps 15 --reps10k 7 --warmup 1 --warmupMs 1500 --seed 20240601 --only chain-1000,…
 *   worker   bench/worker.html   the engine in a Web Worker: round trips, event delivery
 *            --calls 2000 --reps 5 --size 10000
 *   durable  bench/durable.html  real IndexedDB: chain, fan-out, recovery, next to a bare commit
 *            --reps 5 --recoveryReps 3 --commits 250 --runs 1000 --parts chain,fan-out,recovery
 * A page option goes to every page that reads it (`--reps` to all three).
 *
 * Starts a Vite dev server on 127.0.0.1 (a free port, the project's vite.config.ts so the
 * `spindle` aliases apply) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium) with a
 * throwaway profile on disk, opens each page, waits for it to set `window.__benchDone`, prints a
 * table of its `window.__benchResults`, writes them all to bench/.results/latest.json, and closes
 * the browser and the server and deletes the profile. With --profile it also writes a CPU profile
 * of each page's main thread to bench/.results/<page>.cpuprofile and prints where the time went.
 * Exits non-zero when a page reports an error or does not finish in --timeout ms.
 */
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { constants as osConstants, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createServer } from 'vite'
import { startProfile } from './cpu-profile.mjs'
import { printCore, printDurable, printWorker } from './tables.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const resultsDir = fileURLToPath(new URL('./.results/', import.meta.url))
const resultsFile = join(resultsDir, 'latest.json')

/** @typedef {'core' | 'worker' | 'durable'} PageName */
/** @type {Record<PageName, { html: string, options: string[], print: (results: any) => void }>} */
const PAGES = {
  core: {
    html: 'bench/index.html',
    options: ['reps', 'reps10k', 'warmup', 'warmupMs', 'seed', 'only'],
    print: printCore,
  },
  worker: { html: 'bench/worker.html', options: ['calls', 'reps', 'size'], print: printWorker },
  durable: {
    html: 'bench/durable.html',
    options: ['reps', 'recoveryReps', 'commits', 'runs', 'parts'],
    print: printDurable,
  },
}
const PAGE_NAMES = /** @type {PageName[]} */ (Object.keys(PAGES))
const PAGE_OPTIONS = [...new Set(PAGE_NAMES.flatMap((name) => PAGES[name].options))]

/**
 * @param {string[]} argv
 * @returns {{ pages: PageName[], options: Map<string, string>, timeoutMs: number, profile: boolean }}
 */
function parseArgs(argv) {
  /** @type {PageName[]} */
  let pages = PAGE_NAMES
  const options = new Map()
  let timeoutMs = 20 * 60_000
  let profile = false
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? ''
    const name = flag.replace(/^--/, '')
    if (flag === '--profile') {
      profile = true
      continue
    }
    const value = argv[++i]
    const known = name === 'page' || name === 'timeout' || PAGE_OPTIONS.includes(name)
    if (!flag.startsWith('--') || !known || value === undefined) {
      throw new Error(
        `Unknown or incomplete option ${JSON.stringify(flag)}. Use --page ${PAGE_NAMES.join('|')}, --profile, --timeout MS, or --${PAGE_OPTIONS.join(' N, --')} N.`,
      )
    }
    if (name === 'page') {
      const asked = value.split(',')
      const unknown = asked.filter((page) => !PAGE_NAMES.includes(/** @type {PageName} */ (page)))
      if (unknown.length > 0 || asked.length === 0) {
        throw new Error(
          `--page ${JSON.stringify(value)}: pick from ${PAGE_NAMES.join(', ')} (comma-separated).`,
        )
      }
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
  return { pages, options, timeoutMs, profile }
}

/**
 * @param {number} ms
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Opens one benchmark page, waits for its results and closes it.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url
 * @param {number} timeoutMs
 * @param {string | undefined} profileFile where to write a CPU profile, if one is wanted
 * @returns {Promise<any>} the page's `__benchResults`
 */
async function runPage(context, url, timeoutMs, profileFile) {
  const page = await context.newPage()
  try {
    // An uncaught error (a module of the page or of its worker failing to load, say) leaves the
    // page waiting for ever: stop at the first one rather than at the timeout.
    /** @type {Error | undefined} */
    let uncaught
    page.on('pageerror', (error) => {
      console.error(`[page] ${error.message}`)
      uncaught ??= error
    })
    page.on('requestfailed', (request) => console.error(`[page] request failed: ${request.url()}`))
    page.on('response', (response) => {
      if (response.status() >= 400) console.error(`[page] HTTP ${response.status()} ${response.url()}`)
    })
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        console.error(`[page ${message.type()}] ${message.text()}`)
    })
    const stopProfile = profileFile ? await startProfile(page) : undefined
    await page.goto(url)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      // The dev server may reload the page once after optimizing dependencies: an evaluate that
      // meets a navigation throws, and the next poll sees the new page.
      const done = await page
        .evaluate(() => /** @type {any} */ (window).__benchDone === true)
        .catch(() => false)
      if (done) break
      if (uncaught) throw new Error(`${url} failed: ${uncaught.message}`)
      if (Date.now() > deadline) throw new Error(`${url} did not finish within ${timeoutMs} ms.`)
      await sleep(250)
    }
    const results = await page.evaluate(() => /** @type {any} */ (window).__benchResults)
    if (stopProfile && profileFile) {
      for (const line of await stopProfile(profileFile)) console.log(line)
      console.log(`CPU profile: ${profileFile}\n`)
    }
    return results
  } finally {
    await page.close()
  }
}

/**
 * @param {any} results
 */
function failed(results) {
  return Boolean(results?.error) || Boolean(results?.shapes?.some((/** @type {any} */ r) => r.engineError))
}

async function main() {
  const { pages, options, timeoutMs, profile } = parseArgs(process.argv.slice(2))
  /** @type {import('vite').ViteDevServer | undefined} */
  let server
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context
  // A profile on disk, not an incognito one: Chromium keeps an incognito profile's IndexedDB in
  // memory, so durable writes would never reach the disk and the durable figures would flatter.
  const profileDir = await mkdtemp(join(tmpdir(), 'spindle-bench-'))
  // Interrupted (Ctrl-C, a killed job): Playwright ends Chromium with this process; the profile
  // folder is left to us.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      rmSync(profileDir, { recursive: true, force: true })
      process.exit(128 + osConstants.signals[signal])
    })
  }
  /** @type {{ startedAt: string, argv: string[], browser?: string, pages: Record<string, any> }} */
  const all = { startedAt: new Date().toISOString(), argv: process.argv.slice(2), pages: {} }
  let anyFailed = false
  try {
    server = await createServer({
      root,
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      logLevel: 'warn',
      // No file watching: edits elsewhere in the tree must not reload the page mid-measurement.
      server: {
        host: '127.0.0.1',
        port: 0,
        strictPort: false,
        watch: null,
        // Cross-origin isolation sharpens performance.now() from 100 µs to 5 µs in Chromium.
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
      },
    })
    await server.listen()
    const address = server.httpServer?.address()
    if (!address || typeof address === 'string')
      throw new Error('The Vite dev server did not report a TCP port.')

    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    })
    all.browser = context.browser()?.version()
    await mkdir(resultsDir, { recursive: true })
    for (const name of pages) {
      const query = new URLSearchParams()
      for (const option of PAGES[name].options) {
        const value = options.get(option)
        if (value !== undefined) query.set(option, value)
      }
      const url = `http://127.0.0.1:${address.port}/${PAGES[name].html}?${query}`
      console.log(`\n== ${name}: ${url} (${all.browser ?? 'Chromium'})\n`)
      const profileFile = profile ? join(resultsDir, `${name}.cpuprofile`) : undefined
      try {
        const results = await runPage(context, url, timeoutMs, profileFile)
        all.pages[name] = results
        PAGES[name].print(results)
        console.log(`browser: ${results.userAgent} (cross-origin isolated: ${results.crossOriginIsolated})`)
        if (results.error) console.log(`page error: ${results.error}`)
        anyFailed ||= failed(results)
      } catch (error) {
        all.pages[name] = { error: error instanceof Error ? error.message : String(error) }
        console.error(`${name}: ${all.pages[name].error}`)
        anyFailed = true
      }
      // Written after every page, so the figures of finished pages survive a later failure.
      await writeFile(resultsFile, `${JSON.stringify(all, null, 2)}\n`)
    }
    console.log(`\nraw results: ${resultsFile}`)
    process.exitCode = anyFailed ? 1 : 0
  } finally {
    await context?.close()
    await server?.close()
    await rm(profileDir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
