// `npm run test:unit`: the unit and browser suite. Vitest 4 drives every spec file over one
// websocket to one long-lived Chromium page; now and then the browser drops that page's sockets
// and Vitest aborts the run ("Browser connection was closed while running tests", no test failed,
// the spec in flight named). Only then is the suite run once more: a failing test fails at once.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const LOST = 'Browser connection was closed while running tests'
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url))

/** @returns {Promise<{ code: number, output: string }>} */
function run() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes of Vitest's output
const plain = (text) => text.replace(/\u001b\[[0-9;]*m/g, '')
const first = await run()
const text = plain(first.output)
const lostPage = first.code !== 0 && text.includes(LOST) && !/Tests\s+\d+ failed/.test(text)
if (lostPage) {
  console.log(
    '\nVitest lost its browser page with no test failed (see above); running the suite once more.\n',
  )
  process.exit((await run()).code)
}
process.exit(first.code)
