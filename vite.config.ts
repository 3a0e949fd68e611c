import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { offlineShell } from './scripts/offline-shell.mjs'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export const alias = {
  'spindle/worker': here('./worker/serve.ts'),
  'spindle/client': here('./worker/connect.ts'),
  spindle: here('./src/index.ts'),
}

export default defineConfig({
  resolve: { alias },
  // The built studio opens offline: `sw.js` keeps its files.
  plugins: [offlineShell()],
  optimizeDeps: {
    include: [
      'xstate',
      'rxjs',
      'rxjs/operators',
      'idb',
      'comlink',
      '@marcbachmann/cel-js',
      'valibot',
      'yaml',
      '@valibot/to-json-schema',
      '@cfworker/json-schema',
      '@dagrejs/dagre',
      'fast-check',
    ],
  },
  worker: { format: 'es' },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    globalSetup: ['test/server/global-setup.ts'],
    testTimeout: 20_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
