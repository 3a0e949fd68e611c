// @ts-check
/**
 * A CPU profile of a benchmark page's main thread, taken through the Chrome DevTools Protocol
 * (the `Profiler` domain), for `node bench/run.mjs --profile`. The `.cpuprofile` file opens in
 * Chromium DevTools (Performance panel); `summarize` prints where the time went.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { originalPosition, shortPath } from './source-map.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const webDir = fileURLToPath(new URL('./.results/web/', import.meta.url))

/**
 * The file on disk behind a profiled script's URL: a page's script served from the built pages,
 * or a file Node loaded.
 * @param {string} url
 */
function fileOf(url) {
  if (url.startsWith('file://')) return fileURLToPath(url)
  const path = url.match(/^https?:\/\/[^/]+\/(.*?)(\?.*)?$/)?.[1]
  return path ? join(webDir, path) : undefined
}

/**
 * Where a profiled function is in the sources (through the build's source maps) and its name
 * there, when the build had maps; else its place in the built file.
 * @param {{ functionName: string, url: string, lineNumber: number, columnNumber?: number }} frame
 */
function describe(frame) {
  const name = frame.functionName || '(anonymous)'
  if (!frame.url) return name
  const file = fileOf(frame.url)
  const original = file ? originalPosition(file, frame.lineNumber, frame.columnNumber ?? 0) : undefined
  if (original) return `${original.name ?? name} ${shortPath(root, original.file)}:${original.line + 1}`
  return `${name} ${frame.url.replace(/^.*?\/\/[^/]+/, '').replace(/\?.*$/, '')}:${frame.lineNumber + 1}`
}

/**
 * Summaries of the `.cpuprofile` files in `dir` (the Node core run's steady-state profiles).
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
export async function summarizeProfiles(dir) {
  const lines = []
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))) {
    lines.push(`${name.replace(/\.cpuprofile$/, '')}, steady state:`)
    lines.push(...summarize(JSON.parse(await readFile(join(dir, name), 'utf8')), 15))
    lines.push(`CPU profile: ${join(dir, name)}`, '')
  }
  return lines
}

/** Sampling interval, µs: fine enough to see a ~1 ms commit, coarse enough not to slow the page much. */
const INTERVAL_US = 200

/**
 * Starts profiling `page` (call it before `page.goto`, so that the page's first work is in it).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<(file: string) => Promise<string[]>>} stops the profiler, writes the profile to `file`,
 *   resolves with the summary lines
 */
export async function startProfile(page) {
  const cdp = await page.context().newCDPSession(page)
  /** @type {{ title: string, profile: any }[]} */
  const consoleProfiles = []
  // `console.profile(title)` … `console.profileEnd(title)` on the page (the core page's steady
  // state of each runner and shape, with ?profile=1) arrive here as whole profiles.
  cdp.on('Profiler.consoleProfileFinished', ({ title, profile }) => {
    consoleProfiles.push({ title: title ?? 'console', profile })
  })
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: INTERVAL_US })
  await cdp.send('Profiler.start')
  return async (file) => {
    const { profile } = await cdp.send('Profiler.stop')
    await cdp.detach()
    await writeFile(file, JSON.stringify(profile))
    const lines = ['Whole page:', ...summarize(profile, 15)]
    for (const { title, profile: part } of consoleProfiles) {
      const partFile = file.replace(/\.cpuprofile$/, `-${title}.cpuprofile`)
      await writeFile(partFile, JSON.stringify(part))
      lines.push('', `${title}, steady state:`, ...summarize(part, 15), `CPU profile: ${partFile}`)
    }
    return lines
  }
}

/**
 * Self time per function (merged by name and source location), largest first, as printable
 * lines. `(idle)` is the main thread waiting: for IndexedDB-bound work, the time the browser
 * spent on the transactions outside JavaScript.
 * @param {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number,
 *           columnNumber?: number } }[],
 *           samples?: number[], timeDeltas?: number[] }} profile
 * @param {number} top
 * @returns {string[]}
 */
export function summarize(profile, top) {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const self = new Map()
  let total = 0
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (const [i, id] of samples.entries()) {
    const frame = frames.get(id)
    // A sample's delta is the time since the previous sample: it belongs to the previous node.
    const us = deltas[i + 1] ?? 0
    if (!frame) continue
    const key = describe(frame)
    self.set(key, (self.get(key) ?? 0) + us)
    total += us
  }
  const lines = [`CPU profile, self time (${(total / 1000).toFixed(0)} ms sampled):`]
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(
      `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`,
    )
  }
  return lines
}
