import { execFile } from 'node:child_process'
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Browser, chromium } from 'playwright-core'
import { type PreviewServer, preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const fixture = fileURLToPath(new URL('./consumer', import.meta.url))

let app: string
let server: PreviewServer | undefined
let browser: Browser | undefined

/** The version of Vite this repository builds with: the app installs the same one. */
async function viteVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(root, 'node_modules/vite/package.json'), 'utf8'))
  return manifest.version
}

beforeAll(async () => {
  await stat(join(root, 'dist/client.js')).catch(() => {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:package does).')
  })
  app = await mkdtemp(join(tmpdir(), 'spindle-consumer-'))
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', app], { cwd: root })
  const tarball = join(app, packed.stdout.trim().split('\n').at(-1)!)
  await cp(fixture, app, { recursive: true })
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'spindle-consumer',
      private: true,
      type: 'module',
      dependencies: { spindle: `file:${tarball}`, vite: await viteVersion() },
    }),
  )
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: app,
  })
  // The app's own build, with Vite's defaults: no config file, nothing about spindle in it.
  await run(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: app,
  })
  server = await preview({
    root: app,
    configFile: false,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, open: false },
  })
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (app) await rm(app, { recursive: true, force: true })
})

describe('an app built with Vite on the packed package', () => {
  it('runs the default worker and its own worker; errors keep their names once minified', async () => {
    const baseUrl = server!.resolvedUrls?.local[0] ?? ''
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const context = await browser!.newContext()
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`)
    })
    try {
      await page.goto(baseUrl)
      await page.waitForFunction(() => (window as { spindleResults?: unknown }).spindleResults, undefined, {
        timeout: 20_000,
      })
      const results = await page.evaluate(() => (window as { spindleResults?: unknown }).spindleResults)
      expect(results).toEqual({
        names: { argument: 'ArgumentError', unavailable: 'WorkerUnavailableError' },
        schema: { title: 'Spindle workflow definition (schema 2.0)', sameAsExport: true },
        defaultWorker: { status: 'completed', output: 42, actions: true, yaml: 7 },
        ownWorker: {
          status: 'completed',
          output: 42,
          validate: ['unknown_action'],
          refused: { name: 'DefinitionError', code: 'DEFINITION_INVALID' },
        },
      })
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
    // Both workers are files of the app's build, not URLs at its site root that do not exist.
    const assets = await readdir(join(app, 'dist/assets'))
    expect(assets.some((name) => name.startsWith('default-worker'))).toBe(true)
    expect(assets.some((name) => name.startsWith('own.worker'))).toBe(true)
  })
})
