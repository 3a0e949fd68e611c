import { defineConfig } from 'vite'
import { alias } from './vite.config'

export default defineConfig({
  resolve: { alias },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    lib: {
      entry: { spindle: 'src/index.ts', worker: 'worker/serve.ts', client: 'worker/connect.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^xstate/, /^rxjs/, /^idb/, /^comlink/, /^@marcbachmann\/cel-js/, /^valibot/],
    },
  },
})
