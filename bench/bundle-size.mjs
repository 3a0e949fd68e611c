// @ts-check
/**
 * What a user ships, min+gz: each package entry of the production build (dist/) bundled the way
 * an application bundles it (Vite, `mode: 'production'`, minified, every dependency inlined),
 * with every export kept (an application that imports less ships less). The figure of an entry
 * is its chunk and the chunks it imports statically, which load with the page or the worker;
 * chunks it imports dynamically and assets it references (a default worker script) are counted
 * apart, since they load only when used.
 *
 *   node bench/bundle-size.mjs     (after `npm run build`; bench/run.mjs calls it too)
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The entries: the page's client, the worker's server (with the engine it serves), the engine itself. */
export const ENTRIES = [
  { name: 'spindle/client', where: 'page', file: 'dist/client.js' },
  { name: 'spindle/worker + spindle', where: 'worker', file: 'dist/worker.js', with: 'dist/spindle.js' },
  { name: 'spindle', where: 'page or worker', file: 'dist/spindle.js' },
]

/**
 * @param {string} code
 */
function sizes(code) {
  const bytes = Buffer.byteLength(code)
  return { minBytes: bytes, gzipBytes: gzipSync(code, { level: 9 }).length }
}

/**
 * Bundles one entry (and, with `with`, a second entry point bundled alongside, as a worker script
 * that imports both `spindle/worker` and `spindle` does) and measures its static graph.
 * @param {{ name: string, where: string, file: string, with?: string }} entry
 */
async function measureEntry(entry) {
  const input = { main: `${root}${entry.file}`, ...(entry.with ? { also: `${root}${entry.with}` } : {}) }
  const output = await build({
    configFile: false,
    root,
    mode: 'production',
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      modulePreload: false,
      rollupOptions: { input, preserveEntrySignatures: 'strict' },
    },
  })
  const outputs = Array.isArray(output) ? output : [output]
  /** @type {any[]} */
  const files = outputs.flatMap((o) => ('output' in o ? o.output : []))
  const chunks = new Map(files.filter((f) => f.type === 'chunk').map((c) => [c.fileName, c]))
  const entries = [...chunks.values()].filter((c) => c.isEntry)
  const staticGraph = new Set()
  const pending = entries.map((c) => c.fileName)
  while (pending.length > 0) {
    const name = pending.pop()
    if (staticGraph.has(name)) continue
    staticGraph.add(name)
    pending.push(...(chunks.get(name)?.imports ?? []))
  }
  const sum = (/** @type {string[]} */ codes) =>
    codes
      .map(sizes)
      .reduce((a, b) => ({ minBytes: a.minBytes + b.minBytes, gzipBytes: a.gzipBytes + b.gzipBytes }), {
        minBytes: 0,
        gzipBytes: 0,
      })
  const onDemand = [...chunks.values()].filter((c) => !staticGraph.has(c.fileName))
  const assets = files.filter((f) => f.type === 'asset' && /\.m?js$/.test(f.fileName))
  return {
    entry: entry.name,
    where: entry.where,
    static: { ...sum([...staticGraph].map((name) => chunks.get(name).code)), chunks: staticGraph.size },
    onDemand: { ...sum(onDemand.map((c) => c.code)), chunks: onDemand.length },
    assets: assets.map((a) => ({
      file: a.fileName,
      ...sizes(typeof a.source === 'string' ? a.source : Buffer.from(a.source).toString()),
    })),
  }
}

/** The shipped default worker script of dist/, as the package ships it (already bundled and minified). */
async function defaultWorker() {
  const client = await readFile(`${root}dist/client.js`, 'utf8')
  const match = client.match(/assets\/default\.worker-[\w-]+\.js/)
  if (!match) return undefined
  return { file: `dist/${match[0]}`, ...sizes(await readFile(`${root}dist/${match[0]}`, 'utf8')) }
}

/** Every entry's sizes, and the default worker script. */
export async function bundleSizes() {
  const entries = []
  for (const entry of ENTRIES) entries.push(await measureEntry(entry))
  return { entries, defaultWorker: await defaultWorker() }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printBundles } = await import('./core-tables.mjs')
  printBundles(await bundleSizes())
}
