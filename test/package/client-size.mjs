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

const result = await build({
  configFile: false,
  logLevel: 'silent',
  build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: 'client' } },
})
const [output] = /** @type {import('rolldown').RolldownOutput[]} */ ([result].flat())
/** @type {Map<string, import('rolldown').OutputChunk>} */
const chunks = new Map()
for (const item of output.output) if (item.type === 'chunk') chunks.set(item.fileName, item)
/** @type {Set<string>} */
const seen = new Set()
/** @param {string} name */
const visit = (name) => {
  if (seen.has(name)) return
  seen.add(name)
  for (const imported of chunks.get(name)?.imports ?? []) visit(imported)
}
for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName)
const bytes = gzipSync([...seen].map((name) => chunks.get(name)?.code ?? '').join('\n')).length
const lazy = [...chunks.keys()].filter((name) => !seen.has(name))
console.log(
  `spindle/client, static graph: ${(bytes / 1024).toFixed(1)} KB min+gz (budget ${BUDGET_BYTES / 1024} KB); ` +
    `loaded on demand: ${lazy.join(', ') || 'nothing'}`,
)
if (bytes > BUDGET_BYTES) {
  console.error('Over budget: import the heavy modules of the page entry with import() where they are used.')
  process.exit(1)
}
