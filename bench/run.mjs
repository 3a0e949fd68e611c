// @ts-check
/**
 * Runs the benchmarks in headless Chromium and prints their figures.
 *
 *   node bench/run.mjs [--reps 15] [--reps10k 7] [--warmup 1] [--warmupMs 1500] [--seed 20240601]
 *                      [--only chain-1000,random-dag-1000] [--timeout 1200000]
 *
 * Starts a Vite dev server on 127.0.0.1 (a free port, the project's vite.config.ts so the
 * `spindle` aliases apply), opens bench/index.html in Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium), waits for the page to set `window.__benchDone`, prints a table of
 * `window.__benchResults`, writes them to bench/.results/latest.json, and closes the browser and
 * the server. Exits non-zero when the page reports an error.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createServer } from 'vite'

const root = fileURLToPath(new URL('..', import.meta.url))
const resultsFile = fileURLToPath(new URL('./.results/latest.json', import.meta.url))
const PAGE_OPTIONS = ['reps', 'reps10k', 'warmup', 'warmupMs', 'seed', 'only']

/**
 * @param {string[]} argv
 * @returns {{ query: URLSearchParams, timeoutMs: number }}
 */
function parseArgs(argv) {
  const query = new URLSearchParams()
  let timeoutMs = 20 * 60_000
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? ''
    const name = flag.replace(/^--/, '')
    const value = argv[i + 1]
    if (
      !flag.startsWith('--') ||
      value === undefined ||
      (name !== 'timeout' && !PAGE_OPTIONS.includes(name))
    ) {
      throw new Error(
        `Unknown or incomplete option ${JSON.stringify(flag)}. Use --${[...PAGE_OPTIONS, 'timeout'].join(' N, --')} N.`,
      )
    }
    i++
    if (name === 'timeout') timeoutMs = Number(value)
    else query.set(name, value)
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new Error('--timeout must be a positive number of ms.')
  return { query, timeoutMs }
}

/**
 * @param {number} ms
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Three significant figures (all the integer digits of larger values), or a dash when there is no value.
 * @param {number | undefined} value
 */
function figure(value) {
  if (value === undefined || !Number.isFinite(value)) return '—'
  const magnitude = Math.floor(Math.log10(Math.abs(value) || 1))
  return value.toFixed(Math.max(0, 2 - magnitude))
}

/**
 * @param {any} results
 */
function printTable(results) {
  const rows = [
    [
      'shape',
      'tasks',
      'edges',
      'depth',
      'baseline µs/task',
      'engine µs/task',
      '(fastest)',
      'engine/baseline',
    ],
  ]
  for (const r of results.shapes) {
    rows.push([
      r.shape,
      String(r.tasks),
      String(r.edges),
      String(r.depth),
      figure(r.baseline.usPerTask),
      r.engine ? figure(r.engine.usPerTask) : 'n/a',
      r.engine ? figure(r.engine.minUsPerTask) : 'n/a',
      figure(r.ratio),
    ])
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? []
  for (const [index, row] of rows.entries()) {
    console.log(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  '),
    )
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  console.log('')
  console.log(
    `random-dag-10000 vs random-dag-1000, per-task time: baseline ×${figure(results.scaling.baseline)}, engine ×${figure(results.scaling.engine)} (fastest ×${figure(results.scaling.engineFastest)})`,
  )
  console.log(`settings: ${JSON.stringify(results.settings)}`)
  console.log(`browser: ${results.userAgent} (cross-origin isolated: ${results.crossOriginIsolated})`)
  if (results.engineMissing) console.log(`engine part not run: ${results.engineMissing}`)
  for (const r of results.shapes) {
    if (!r.engineError) continue
    const stack = r.engineError.split('\n').slice(0, 4).join('\n  ')
    console.log(`engine failed on ${r.shape} (full stack in the raw results): ${stack}`)
  }
  if (results.error) console.log(`page error: ${results.error}`)
}

async function main() {
  const { query, timeoutMs } = parseArgs(process.argv.slice(2))
  /** @type {import('vite').ViteDevServer | undefined} */
  let server
  /** @type {import('playwright-core').Browser | undefined} */
  let browser
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
    const url = `http://127.0.0.1:${address.port}/bench/index.html?${query}`

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    })
    const page = await browser.newPage()
    page.on('pageerror', (error) => console.error(`[page] ${error.message}`))
    page.on('requestfailed', (request) => console.error(`[page] request failed: ${request.url()}`))
    page.on('response', (response) => {
      if (response.status() >= 400) console.error(`[page] HTTP ${response.status()} ${response.url()}`)
    })
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        console.error(`[page ${message.type()}] ${message.text()}`)
    })
    console.log(`benchmarking in ${browser.version()} at ${url}`)
    await page.goto(url)

    const deadline = Date.now() + timeoutMs
    for (;;) {
      // The dev server may reload the page once after optimizing dependencies: an evaluate that
      // meets a navigation throws, and the next poll sees the new page.
      const done = await page
        .evaluate(() => /** @type {any} */ (window).__benchDone === true)
        .catch(() => false)
      if (done) break
      if (Date.now() > deadline) throw new Error(`The benchmarks did not finish within ${timeoutMs} ms.`)
      await sleep(250)
    }
    const results = await page.evaluate(() => /** @type {any} */ (window).__benchResults)
    await mkdir(fileURLToPath(new URL('./.results/', import.meta.url)), { recursive: true })
    await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`)
    console.log('')
    printTable(results)
    console.log(`\nraw results: ${resultsFile}`)
    const failed =
      Boolean(results?.error) || Boolean(results?.shapes.some((/** @type {any} */ r) => r.engineError))
    process.exitCode = failed ? 1 : 0
  } finally {
    await browser?.close()
    await server?.close()
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
