import { defineConfig } from 'vitest/config'

/**
 * The package test: Node packs the built package, builds an app on it with Vite in a temp dir,
 * serves it and drives Debian's Chromium through playwright-core. `npm run test:package`.
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/package/**/*.package.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
