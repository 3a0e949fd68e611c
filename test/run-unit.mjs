// `npm run test:unit`: the unit and browser suite. Vitest 4 drives every spec file over one
// websocket to one long-lived Chromium page; now and then the browser drops that page's sockets
// and Vitest aborts the run ("Browser connection was closed while running tests", no test failed,
// the spec in flight named). Only then are the spec files that did not pass run again (up to
// twice): a failing test fails at once.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const LOST = 'Browser connection was closed while running tests'
const root = fileURLToPath(new URL('..', import.meta.url))
const vitest = join(root, 'node_modules/vitest/vitest.mjs')
const MAX_RERUNS = 2

/** @param {string[]} files @returns {Promise<{ code: number, output: string }>} */
function run(files) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...process.argv.slice(2), ...files], {
      cwd: root,
      stdio: ['inherit', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk)
      output += chunk
    })
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

/** Every spec file of the suite (vite.config.ts: `test/**\/*.test.ts` without `test/e2e`). */
function specFiles(dir = join(root, 'test')) {
  /** @type {string[]} */
  const files = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (relative(root, path) !== 'test/e2e' && entry.name !== 'node_modules') files.push(...specFiles(path))
    } else if (entry.name.endsWith('.test.ts')) files.push(relative(root, path))
  }
  return files
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes of Vitest's output
const plain = (/** @type {string} */ text) => text.replace(/\u001b\[[0-9;]*m/g, '')
/** The spec files the run passed whole (`✓ chromium test/x.test.ts (n tests)`). */
const passedIn = (/** @type {string} */ text) =>
  new Set(
    [...text.matchAll(/^\s*✓\s+chromium\s+(test\/\S+\.test\.ts)/gm)].map(
      (match) => /** @type {string} */ (match[1]),
    ),
  )

const filtered = process.argv.slice(2).some((arg) => !arg.startsWith('-'))
let result = await run([])
for (let rerun = 1; rerun <= MAX_RERUNS && !filtered; rerun++) {
  const text = plain(result.output)
  if (result.code === 0 || !text.includes(LOST) || /Tests\s+\d+ failed/.test(text)) break
  const passed = passedIn(text)
  const left = specFiles().filter((file) => !passed.has(file))
  console.log(
    `\nVitest lost its browser page with no test failed; running the ${left.length} spec files that did not pass again.\n`,
  )
  result = await run(left)
  // The files passed before count as passed: the next round reruns only what is left of these.
  for (const file of passed) result.output += `\n ✓ chromium ${file}\n`
}
process.exit(result.code)
