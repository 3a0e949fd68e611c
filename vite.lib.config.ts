import { readFileSync } from 'node:fs'
import { defineConfig, type Plugin } from 'vite'
import { alias } from './vite.config'

const START_DEFAULT_WORKER = 'worker/start-default-worker.ts'

/**
 * Ships the default worker as a file of the package: `dist/default-worker.js` is an entry, and
 * `dist/start-default-worker.js` is `worker/start-default-worker.ts` as written, pointing at it.
 * Bundling the worker here would make an asset whose URL is relative to the app's site root,
 * where it is not. Left as `new Worker(new URL('./default-worker.js', import.meta.url))`, the
 * app's bundler finds and bundles the worker, as it does for its own.
 */
function defaultWorkerInPackage(): Plugin {
  return {
    name: 'spindle:default-worker-in-package',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './start-default-worker' && importer?.endsWith('/worker/connect.ts')) {
        return { id: './start-default-worker.js', external: true }
      }
      return null
    },
    generateBundle() {
      const source = readFileSync(START_DEFAULT_WORKER, 'utf8')
      const started = source.replace("new URL('./default.worker.ts'", "new URL('./default-worker.js'")
      if (started === source) throw new Error(`${START_DEFAULT_WORKER} no longer starts ./default.worker.ts`)
      this.emitFile({ type: 'asset', fileName: 'start-default-worker.js', source: started })
    },
  }
}

export default defineConfig({
  resolve: { alias },
  plugins: [defaultWorkerInPackage()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    lib: {
      entry: {
        spindle: 'src/index.ts',
        worker: 'worker/serve.ts',
        client: 'worker/connect.ts',
        'default-worker': 'worker/default.worker.ts',
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^xstate/, /^rxjs/, /^idb/, /^comlink/, /^@marcbachmann\/cel-js/, /^valibot/],
    },
  },
})
