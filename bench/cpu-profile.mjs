// @ts-check
/**
 * A CPU profile of a benchmark page's main thread, taken through the Chrome DevTools Protocol
 * (the `Profiler` domain), for `node bench/run.mjs --profile`. The `.cpuprofile` file opens in
 * Chromium DevTools (Performance panel); `summarize` prints where the time went.
 */
import { writeFile } from 'node:fs/promises'

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
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: INTERVAL_US })
  await cdp.send('Profiler.start')
  return async (file) => {
    const { profile } = await cdp.send('Profiler.stop')
    await cdp.detach()
    await writeFile(file, JSON.stringify(profile))
    return summarize(profile, 15)
  }
}

/**
 * Self time per function (merged by name and source location), largest first, as printable
 * lines. `(idle)` is the main thread waiting: for IndexedDB-bound work, the time the browser
 * spent on the transactions outside JavaScript.
 * @param {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[],
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
    const where = frame.url
      ? ` ${frame.url.replace(/^.*?\/\/[^/]+/, '').replace(/\?.*$/, '')}:${frame.lineNumber + 1}`
      : ''
    const key = `${frame.functionName || '(anonymous)'}${where}`
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
