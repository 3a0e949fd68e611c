/**
 * Size budget of the page entry `spindle/client`: the built `dist/client.js` and everything it
 * imports statically (rxjs and comlink included), bundled and minified as an app would, gzipped.
 * What it loads on demand (the definition checks, the run replica) is left out. Run after
 * `npm run build`; exits 1 over budget.
 */

import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

const BUDGET_BYTES = 30 * 1024
const entry = fileURLToPath(new URL('../../dist/client.js', import.meta.url))

const [output] = [
  await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: 'client' } },
  }),
].flat()
const chunks = new Map(
  output.output.filter((item) => item.type === 'chunk').map((chunk) => [chunk.fileName, chunk]),
)
const start = [...chunks.values()].find((chunk) => chunk.isEntry)
const seen = new Set()
const visit = (chunk) => {
  if (seen.has(chunk.fileName)) return
  seen.add(chunk.fileName)
  for (const name of chunk.imports) visit(chunks.get(name))
}
visit(start)
const bytes = gzipSync([...seen].map((name) => chunks.get(name).code).join('\n')).length
const lazy = [...chunks.keys()].filter((name) => !seen.has(name))
console.log(
  `spindle/client, static graph: ${(bytes / 1024).toFixed(1)} KB min+gz (budget ${BUDGET_BYTES / 1024} KB); ` +
    `loaded on demand: ${lazy.join(', ') || 'nothing'}`,
)
if (bytes > BUDGET_BYTES) {
  console.error('Over budget: import the heavy modules of the page entry with import() where they are used.')
  process.exit(1)
}
