// @ts-check
/**
 * Builds what the benchmark measures, the way a user gets it: the package's production build
 * (`npm run build`: dist/), then the benchmark pages and the Node runner bundled against dist/ as
 * an application would bundle them (`mode: 'production'`, minified, `spindle`, `spindle/worker`
 * and `spindle/client` resolved to dist/*.js, their dependencies resolved with production
 * conditions), and a static server for the pages.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { build, preview } from 'vite'

export const root = fileURLToPath(new URL('..', import.meta.url))
const benchDir = fileURLToPath(new URL('.', import.meta.url))
/** Built pages and the Node bundle; under bench/.results/, which git ignores. */
export const webDir = fileURLToPath(new URL('./.results/web/', import.meta.url))
export const nodeDir = fileURLToPath(new URL('./.results/node/', import.meta.url))
export const nodeEntry = fileURLToPath(new URL('./.results/node/node-core.mjs', import.meta.url))

/** The package's entries as an application resolves them: the files `npm pack` ships. */
const distAlias = [
  { find: /^spindle\/worker$/, replacement: fileURLToPath(new URL('../dist/worker.js', import.meta.url)) },
  { find: /^spindle\/client$/, replacement: fileURLToPath(new URL('../dist/client.js', import.meta.url)) },
  { find: /^spindle$/, replacement: fileURLToPath(new URL('../dist/spindle.js', import.meta.url)) },
]

/** Cross-origin isolation sharpens performance.now() from 100 µs to 5 µs in Chromium. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

/**
 * `npm run build`: the library (vite.lib.config.ts) and its type declarations, into dist/.
 * @returns {Promise<void>}
 */
export function buildPackage() {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '--silent'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build exited with code ${code}.`)),
    )
  })
}

/**
 * The benchmark pages against dist/. `minify: false` keeps function names for a readable CPU
 * profile; it is still the production build of the same code (same conditions, same tree-shaking).
 * @param {{ minify: boolean }} options
 */
export async function buildPages({ minify }) {
  await build({
    configFile: false,
    root: benchDir,
    mode: 'production',
    logLevel: 'warn',
    publicDir: false,
    resolve: { alias: distAlias },
    worker: { format: 'es' },
    build: {
      outDir: webDir,
      emptyOutDir: true,
      minify,
      sourcemap: true,
      // aws-local-stepfunctions' browser build bundles the AWS SDK: large, and loaded only for
      // the ASL reference, on demand.
      chunkSizeWarningLimit: 4096,
      rollupOptions: {
        input: {
          core: `${benchDir}index.html`,
          cold: `${benchDir}cold.html`,
          worker: `${benchDir}worker.html`,
          durable: `${benchDir}durable.html`,
          inbox: `${benchDir}inbox.html`,
          studio: `${benchDir}studio.html`,
        },
      },
    },
  })
}

/**
 * bench/node-core.ts as one Node module. `spindle` stays an import, which Node resolves through
 * the package's `exports` (a package may import itself by name) to dist/spindle.js; its
 * dependencies and the references stay imports of node_modules too.
 */
export async function buildNode() {
  await build({
    configFile: false,
    root,
    mode: 'production',
    logLevel: 'warn',
    publicDir: false,
    build: {
      ssr: `${benchDir}node-core.ts`,
      outDir: nodeDir,
      emptyOutDir: true,
      minify: false,
      target: 'node20',
      rollupOptions: {
        external: [/^spindle(\/|$)/, /^xstate(\/|$)/, /^aws-local-stepfunctions$/, /^node:/],
        output: { entryFileNames: 'node-core.mjs', chunkFileNames: '[name].mjs' },
      },
    },
  })
}

/**
 * Serves the built pages on 127.0.0.1 (a free port), cross-origin isolated, no SPA fallback.
 * @returns {Promise<{ port: number, close: () => Promise<void> }>}
 */
export async function servePages() {
  const server = await preview({
    configFile: false,
    root: benchDir,
    logLevel: 'warn',
    build: { outDir: webDir },
    appType: 'mpa',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, headers: isolationHeaders },
  })
  const address = server.httpServer.address()
  if (!address || typeof address === 'string')
    throw new Error('The preview server did not report a TCP port.')
  return { port: address.port, close: () => server.close() }
}
