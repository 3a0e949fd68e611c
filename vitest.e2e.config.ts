import { defineConfig } from 'vitest/config'

/**
 * The end-to-end tests: Node builds and serves the demo, and drives Debian's Chromium through
 * playwright-core (not Vitest's browser mode). `npm run test:e2e`.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
})
