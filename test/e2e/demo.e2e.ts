import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const configFile = join(root, 'vite.config.ts')
/** Each run's picture goes to an ignored folder; the README's picture only on request. */
const screenshotPath = fileURLToPath(new URL('.output/demo.png', import.meta.url))
const readmeScreenshotPath = fileURLToPath(new URL('./demo.png', import.meta.url))
const updateReadmeScreenshot = process.env.UPDATE_SCREENSHOT === '1'

/** The pictures the README shows, kept beside this file. */
const readmePictures = new Set([
  'studio-run.png',
  'studio-definitions.png',
  'studio-inspector.png',
  'studio-timeline.png',
])

/** Saves a picture of `target` to the ignored folder, and beside this file (the README's) on request. */
async function shoot(
  target: { screenshot(options: { path: string }): Promise<unknown>; page?: () => Page },
  name: string,
) {
  const path = fileURLToPath(new URL(`.output/${name}`, import.meta.url))
  // A picture of one area: the sticky navigation bar would be drawn over it once it scrolled.
  const page = target.page?.()
  const navigation = (hidden: boolean) =>
    page?.evaluate((hide) => {
      const bar = document.querySelector<HTMLElement>('.studio-nav')
      if (bar) bar.style.visibility = hide ? 'hidden' : ''
    }, hidden)
  await navigation(true)
  await target.screenshot({ path })
  await navigation(false)
  if (updateReadmeScreenshot && readmePictures.has(name))
    await copyFile(path, fileURLToPath(new URL(`./${name}`, import.meta.url)))
}

let outDir: string
let server: PreviewServer | undefined
let browser: Browser | undefined
let baseUrl: string
const contexts: BrowserContext[] = []

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(address)))
    })
  })
}

const CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'spindle-demo-'))
  await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  server = await preview({
    root,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: {
      host: '127.0.0.1',
      port: await freePort(),
      strictPort: true,
      open: false,
      // No 'unsafe-eval': expressions are CEL, never JavaScript. A violation would show as a
      // console error, and every test asserts that the page logged none.
      headers: { 'Content-Security-Policy': CSP },
    },
  })
  baseUrl = server.resolvedUrls?.local[0] ?? ''
  expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
})

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()))
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (outDir) await rm(outDir, { recursive: true, force: true })
})

/** The demo in a fresh browser context (its own IndexedDB), with the page's errors collected. */
async function openDemo(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser!.newContext({ viewport: { width: 1360, height: 900 } })
  contexts.push(context)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  await page.goto(baseUrl)
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 })
  return { page, errors }
}

const panel = (page: Page) => page.getByTestId('run-panel')
const events = (page: Page, type: string, taskId?: string) =>
  page.locator(`[data-testid="event"][data-type="${type}"]${taskId ? `[data-task-id="${taskId}"]` : ''}`)

/** Task id → `status/attempts` as the task list shows them. */
async function taskTable(page: Page): Promise<Record<string, string>> {
  return page
    .getByTestId('task-row')
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((row) => [
          (row as HTMLElement).dataset.taskId,
          `${(row as HTMLElement).dataset.status}/${(row as HTMLElement).dataset.attempts}`,
        ]),
      ),
    )
}

describe('the demo page', () => {
  it('runs the fan-out sample to 100%, inspects a task, rolls back and forks from checkpoints', async () => {
    const { page, errors } = await openDemo()
    await expect(page.getByTestId('samples').getByRole('button').count()).resolves.toBe(6)

    await page.getByTestId('start-photo-pipeline').click()
    await page
      .locator(
        '[data-testid="run-panel"][data-status="running"], [data-testid="run-panel"][data-status="completed"]',
      )
      .waitFor()
    const runId = await panel(page).getAttribute('data-run-id')
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })

    await page.getByTestId('progress-percent').filter({ hasText: '100%' }).waitFor()
    expect(await page.getByTestId('progress-bar').getAttribute('aria-valuenow')).toBe('100')
    expect(await page.getByTestId('run-status').textContent()).toBe('completed')
    expect(await taskTable(page)).toEqual({
      fetch: 'completed/1',
      thumbnails: 'completed/1',
      metadata: 'completed/1',
      scan: 'completed/1',
      publish: 'completed/1',
    })
    expect(await page.getByTestId('health-level').textContent()).toMatch(/^(healthy|warning|critical)$/)
    expect(Number(await page.getByTestId('health-score').textContent())).toBeGreaterThanOrEqual(0)
    await events(page, 'workflow.completed').waitFor()
    expect(await page.getByTestId('run-result').textContent()).toContain('"album":"holiday"')
    await page.locator(`[data-testid="run-item"][data-run-id="${runId}"][data-status="completed"]`).waitFor()

    // On a completed run only the calls that apply are enabled.
    for (const name of ['pause', 'resume', 'cancel', 'checkpoint', 'retry'])
      expect(await page.getByTestId(name).isDisabled(), name).toBe(true)

    // The task inspector, opened from the keyboard: params as written, the output; Retry and Skip
    // do not apply to it.
    await page.locator('[data-testid="graph-node"][data-task-id="publish"]').focus()
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="task-inspector"][data-task-id="publish"]').waitFor()
    expect(await page.getByTestId('inspector-output').textContent()).toContain('"album": "holiday"')
    expect(await page.getByTestId('inspector-params').textContent()).toContain('input.album')
    expect(await page.getByTestId('inspector-retry').isDisabled()).toBe(true)
    expect(await page.getByTestId('inspector-skip').isDisabled()).toBe(true)

    // Checkpoints: the start and each task completion. Roll back to the one after fetch: the run
    // waits paused there; resume finishes it again.
    await page.locator('.checkpoint-list summary').click()
    await expect.poll(() => page.getByTestId('checkpoint-item').count()).toBe(6)
    await page.getByTestId('rollback').nth(1).click()
    await page.locator('[data-testid="run-panel"][data-status="paused"]').waitFor({ timeout: 10_000 })
    expect(await page.getByTestId('pause').isDisabled()).toBe(true)
    await page.getByTestId('resume').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    await events(page, 'workflow.rolled-back').waitFor()

    // Fork from the start: a new run, shown.
    await page.getByTestId('fork').first().click()
    await page.locator(`[data-testid="run-panel"]:not([data-run-id="${runId}"])`).waitFor({ timeout: 10_000 })
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    expect(errors).toEqual([])
  })

  it('retries a failed task from its button and finishes the run', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('start-flaky-sync').click()
    await events(page, 'task.retrying', 'connect').first().waitFor({ timeout: 10_000 })
    await page.locator('[data-testid="run-panel"][data-status="failed"]').waitFor({ timeout: 20_000 })
    expect(await taskTable(page)).toEqual({
      connect: 'completed/2',
      upload: 'failed/3',
      notify: 'cancelled/0',
    })
    expect(await page.getByTestId('run-result').textContent()).toContain('TASK_FAILED')

    const retry = page.getByTestId('retry')
    expect(await retry.textContent()).toBe('Retry upload')
    await retry.click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 10_000 })
    await page.getByTestId('progress-percent').filter({ hasText: '100%' }).waitFor()
    expect(await taskTable(page)).toEqual({
      connect: 'completed/2',
      upload: 'completed/4',
      notify: 'completed/1',
    })
    await events(page, 'task.retrying', 'upload').filter({ hasText: 'retried by request' }).waitFor()
    expect(await retry.isDisabled()).toBe(true)

    // The timeline: each attempt of upload running, the back-offs between them.
    await page.locator('[data-testid="run-timeline"] summary').click()
    await page
      .locator('[data-testid="segment"][data-task-id="upload"][data-kind="backoff"]')
      .first()
      .waitFor()
    const kinds = await page
      .locator('[data-testid="segment"][data-task-id="upload"]')
      .evaluateAll((all) => all.map((s) => (s as SVGElement).dataset.kind))
    expect(kinds.filter((kind) => kind === 'running').length).toBe(4)
    expect(kinds).toContain('backoff')
    // The checkpoints on the timeline are the ones the run lists.
    await page.locator('.checkpoint-list summary').click()
    await expect.poll(() => page.getByTestId('checkpoint-item').count()).toBeGreaterThan(1)
    const listed = await page.getByTestId('checkpoint-item').count()
    await expect.poll(() => page.getByTestId('timeline-checkpoint').count()).toBe(listed)
    expect(errors).toEqual([])
  })

  it('carries a long run on across a page reload without redoing completed work', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('start-nightly-report').click()
    await page.locator('[data-testid="run-panel"][data-status="running"]').waitFor()
    const runId = await panel(page).getAttribute('data-run-id')
    expect(runId).toBeTruthy()
    // Reload once `collect` is done and `crunch` has finished its first region.
    await events(page, 'task.item-completed', 'crunch').first().waitFor({ timeout: 20_000 })
    expect(await panel(page).getAttribute('data-status')).toBe('running')
    // The graph fills as the run goes: collect done, crunch counting its items, publish not run yet.
    const node = (taskId: string) => page.locator(`[data-testid="graph-node"][data-task-id="${taskId}"]`)
    expect(await node('collect').getAttribute('data-status')).toBe('completed')
    expect(await node('publish').getAttribute('data-status')).toBe('pending')
    expect(Number(await node('crunch').getAttribute('data-items'))).toBeGreaterThanOrEqual(1)
    // Each item's record says how many there are: the count has its total while the task runs.
    await node('crunch')
      .filter({ hasText: /running · [1-4]\/4 items done/ })
      .waitFor()

    await page.reload()
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 })
    // The page picks the unfinished run by itself, and the new worker's engine resumed it.
    await page.locator(`[data-testid="run-panel"][data-run-id="${runId}"]`).waitFor()
    await events(page, 'workflow.recovered').waitFor({ timeout: 15_000 })
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 40_000 })
    await page.getByTestId('progress-percent').filter({ hasText: '100%' }).waitFor()
    await page.getByTestId('run-timeline').locator('summary').click()
    await page.getByTestId('run-timeline').getByTestId('segment').first().waitFor()
    await shoot(page.getByTestId('run-timeline'), 'studio-timeline.png')

    // `collect` completed before the reload: it ran once. Each region was crunched to completion once.
    expect(await events(page, 'task.started', 'collect').count()).toBe(1)
    const items = await events(page, 'task.item-completed', 'crunch')
      .locator('.event-detail')
      .allTextContents()
    expect(items.sort()).toEqual(['item 0', 'item 1', 'item 2', 'item 3'])
    const tasks = await taskTable(page)
    expect(tasks.collect).toBe('completed/1')
    expect(tasks.publish).toBe('completed/1')
    expect(tasks.crunch).toMatch(/^completed\/[12]$/)
    expect(await page.getByTestId('run-result').textContent()).toContain('"regions":4')
    // The forEach task's node counts its items.
    await page
      .locator('[data-testid="graph-node"][data-task-id="crunch"]')
      .filter({ hasText: 'completed · 4/4 items done' })
      .waitFor()

    // The picture shows the recovery in the log.
    await events(page, 'workflow.recovered').scrollIntoViewIfNeeded()
    await page.screenshot({ path: screenshotPath, fullPage: true })
    if (updateReadmeScreenshot) await copyFile(screenshotPath, readmeScreenshotPath)
    expect(errors).toEqual([])
  })
})

describe("the studio's areas", () => {
  it('instantiates a template from its form, starts it with run input and runs it to the end', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('template-troubleshooting').click()
    await page.getByTestId('param-retries').fill('two')
    await page.getByTestId('instantiate').click()
    await expect(page.locator('#template-troubleshooting-retries-problem').textContent()).resolves.toMatch(
      /not a number/,
    )
    await page.getByTestId('param-retries').fill('1')
    await page.getByTestId('instantiate-id').fill('pump-diagnosis')
    await page.getByTestId('instantiate').click()
    await page
      .getByTestId('instantiate-status')
      .filter({ hasText: 'Registered pump-diagnosis@1.0.0' })
      .waitFor()

    // The definition is listed and shown, with a form for its required run input.
    await page.getByTestId('definition-pump-diagnosis').waitFor()
    await page.getByTestId('start-definition').click()
    await page.getByTestId('start-status').filter({ hasText: 'INPUT_INVALID' }).waitFor()
    await expect(page.locator('#start-pump-diagnosis-symptoms-problem').textContent()).resolves.toMatch(
      /required/,
    )
    await page.getByTestId('param-symptoms').fill('"rattling"')
    await page.getByTestId('param-equipment_id').fill('"P-7"')
    await page.getByTestId('start-definition').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 30_000 })
    expect(await taskTable(page)).toMatchObject({
      analyze_symptoms: 'completed/1',
      implement_solution: 'completed/1',
    })
    // The run's graph: the five steps, each drawn completed.
    const nodes = page.getByTestId('graph-node')
    await page
      .locator('[data-testid="graph-node"][data-task-id="implement_solution"][data-status="completed"]')
      .waitFor()
    expect(await nodes.evaluateAll((all) => all.map((n) => (n as SVGElement).dataset.status))).toEqual(
      Array(5).fill('completed'),
    )
    expect(errors).toEqual([])
  })

  it('checks a definition as it is typed, at the path of each problem, and registers it once valid', async () => {
    const { page, errors } = await openDemo()
    const editor = page.getByTestId('editor')
    await expect(page.getByTestId('register').isEnabled()).resolves.toBe(true)
    await editor.fill(
      JSON.stringify({
        schemaVersion: '2.0',
        id: 'typed',
        version: '1.0.0',
        tasks: { a: { action: 'noop' }, b: { action: 'noop', depends_on: ['a'], parameters: {} } },
      }),
    )
    const issue = (path: string) => page.locator(`[data-testid="editor-issue"][data-path="${path}"]`)
    await issue('tasks.b.depends_on').waitFor()
    expect(await issue('tasks.b.depends_on').textContent()).toContain('did you mean "dependsOn"?')
    expect(await issue('tasks.b.parameters').textContent()).toContain('did you mean "params"?')
    // Beside each, what the definition's JSON Schema says: the fields a task takes.
    expect(await issue('tasks.b.parameters').getByTestId('field-help').textContent()).toMatch(
      /^Fields here: action, .*params, dependsOn/,
    )
    await editor.fill(
      JSON.stringify({ schemaVersion: '2.0', id: 'typed', version: '1.0.0', tasks: { a: { action: 7 } } }),
    )
    await issue('tasks.a.action').waitFor()
    expect(await issue('tasks.a.action').getByTestId('field-help').textContent()).toContain(
      'The action the task runs',
    )
    await expect(page.getByTestId('register').isDisabled()).resolves.toBe(true)

    await editor.fill(
      'name: Typed steps\nsteps:\n  - type: noop\n    name: First\n  - type: transform\n    name: Second\n    config: { value: 2 }\n',
    )
    await page.locator('[data-testid="editor-issues"][data-ok="true"]').waitFor({ state: 'attached' })
    await page.getByTestId('register').click()
    await page.getByTestId('register-status').filter({ hasText: 'Registered typed-steps@1.0.0' }).waitFor()
    await page.getByTestId('definition-typed-steps').filter({ hasText: 'from 1.0' }).waitFor()
    await shoot(page.locator('.studio'), 'studio-definitions.png')
    expect(await page.getByTestId('definition-json').textContent()).toContain(
      '"dependsOn": [\n        "first"',
    )
    expect(errors).toEqual([])
  })

  it('decides an approval from the inbox: a refused principal sees the error, an approver with the form ends the run', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('start-expense-approval').click()
    const item = page.locator('[data-testid="approval"][data-task-id="approve"]')
    await item.waitFor({ timeout: 20_000 })
    expect(await item.locator('h3').textContent()).toBe('Expense of 480 for conference')
    expect(await page.getByTestId('nav-approvals').textContent()).toBe('1')
    await shoot(page.locator('#area-approvals'), 'studio-approvals.png')
    await page.getByTestId('inbox-principal').fill('mallory')
    await item.getByTestId('param-limit').fill('500')
    await item.getByTestId('approve').click()
    await item.getByTestId('approval-status').filter({ hasText: 'FORBIDDEN' }).waitFor()

    await page.getByTestId('inbox-principal').fill('alice')
    await item.getByTestId('param-limit').fill('500')
    await item.getByTestId('approval-comment').fill('fine')
    await item.getByTestId('approve').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('run-result').textContent()).toContain('"by":"alice"')
    await page.locator('[data-testid="inbox"] .empty').waitFor()
    expect(await page.getByTestId('nav-approvals').textContent()).toBe('0')
    await shoot(page.locator('[data-testid="run-panel"]'), 'studio-run.png')
    expect(errors).toEqual([])
  })

  it('approves from the task inspector, which shows the params each attempt got', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('start-expense-approval').click()
    const node = page.locator('[data-testid="graph-node"][data-task-id="approve"]')
    await page.locator('[data-testid="graph-node"][data-task-id="approve"][data-status="waiting"]').waitFor({
      timeout: 20_000,
    })
    await node.click()
    const inspector = page.locator('[data-testid="task-inspector"][data-task-id="approve"]')
    await inspector.waitFor()
    // The params as the waiting attempt got them: expressions resolved, next to them as written.
    const resolved = inspector.getByTestId('inspector-resolved')
    expect(await resolved.textContent()).toContain('"title": "Expense of 480 for conference"')
    expect(await resolved.textContent()).toContain('"purpose": "conference"')
    expect(await inspector.getByTestId('inspector-params').textContent()).toContain('input.purpose')

    const item = inspector.getByTestId('approval')
    await inspector.getByTestId('inspector-principal').fill('mallory')
    await item.getByTestId('param-limit').fill('300')
    await item.getByTestId('approve').click()
    await item.getByTestId('approval-status').filter({ hasText: 'FORBIDDEN' }).waitFor()
    await inspector.getByTestId('inspector-principal').fill('bob')
    await item.getByTestId('approve').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('run-result').textContent()).toContain('"by":"bob"')

    await page.locator('[data-testid="graph-node"][data-task-id="pay"]').click()
    const pay = page
      .locator('[data-testid="task-inspector"][data-task-id="pay"]')
      .getByTestId('inspector-resolved')
    await expect.poll(() => pay.textContent()).toContain('"by": "bob"')
    await shoot(page.locator('[data-testid="task-inspector"]'), 'studio-inspector.png')
    expect(errors).toEqual([])
  })

  it('opens with no network once loaded, and runs a workflow offline', async () => {
    const { page, errors } = await openDemo()
    // The service worker keeps the built studio; once it controls the page the studio says so.
    await page
      .locator('[data-testid="online"][data-opens-offline="true"]')
      .waitFor({ state: 'attached', timeout: 15_000 })
    await page.context().setOffline(true)
    await page.reload()
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 })
    await page.locator('[data-testid="online"][data-online="false"]').waitFor({ state: 'attached' })
    expect(await page.getByTestId('online').textContent()).toBe(
      'Offline: runs go on in this tab · opens offline',
    )

    await page.getByTestId('start-photo-pipeline').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    expect(await taskTable(page)).toMatchObject({ publish: 'completed/1' })
    await page.context().setOffline(false)
    expect(errors).toEqual([])
  })

  it('schedules a definition, routes and emits an event, and shows the storage', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('schedule-every').fill('2')
    await page.getByTestId('schedule').click()
    const schedule = page.getByTestId('schedule-item').filter({ hasText: 'photo-pipeline' })
    await schedule.waitFor()
    expect(await schedule.textContent()).toMatch(/every 2 s · next \d\d:\d\d/)
    // It fires: its first occurrence starts a run.
    await schedule.filter({ hasText: /fired [1-9]/ }).waitFor({ timeout: 15_000 })
    await shoot(page.locator('[data-testid="triggers"]'), 'studio-triggers.png')
    await schedule.getByTestId('schedule-toggle').click()
    await page.locator('[data-testid="schedule-item"][data-paused="true"]').waitFor()

    await page.getByTestId('route').click()
    await page.getByTestId('route-item').filter({ hasText: 'order.* → order-review' }).waitFor()
    await page.getByTestId('emit').click()
    await page
      .getByTestId('trigger-status')
      .filter({ hasText: 'Emitted order.paid: 1 run(s) started' })
      .waitFor()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('run-result').textContent()).toContain('"reviewed":true')

    await page.getByTestId('emit-type').fill('nobody.listens')
    await page.getByTestId('emit').click()
    await page.getByTestId('trigger-status').filter({ hasText: '0 run(s) started' }).waitFor()
    await page.getByTestId('schedule-every').fill('-5')
    await page.getByTestId('schedule').click()
    await page.getByTestId('trigger-status').filter({ hasText: 'INVALID_ARGUMENT' }).waitFor()
    // A cron schedule instead: listed with its expression and its next fire times.
    await page.getByTestId('schedule-workflow').fill('nightly-report')
    await page.getByTestId('schedule-cron').fill('30 2 * * *')
    await page.getByTestId('schedule').click()
    const nightly = page.getByTestId('schedule-item').filter({ hasText: 'nightly-report' })
    await nightly.waitFor()
    expect(await nightly.textContent()).toMatch(/cron 30 2 \* \* \* · next 02:30:00/)
    await page.getByTestId('schedule-cron').fill('61 * * * *')
    await page.getByTestId('schedule').click()
    await page.getByTestId('trigger-status').filter({ hasText: 'INVALID_ARGUMENT' }).waitFor()

    await expect(page.getByTestId('online').textContent()).resolves.toMatch(/^Online · /)
    await page
      .getByTestId('storage-records')
      .filter({ hasText: /runs \d+/ })
      .waitFor()
    expect(errors).toEqual([])
  })

  it('filters, pages and searches the runs, hides progress noise and exports a run as NDJSON', async () => {
    const { page, errors } = await openDemo()
    for (let i = 0; i < 11; i++) {
      await page.getByTestId('start-expense-approval').click()
      await page.getByTestId('run-item').nth(0).waitFor()
    }
    await expect.poll(() => page.locator('[data-testid="approval"]').count(), { timeout: 20_000 }).toBe(11)
    await page.getByTestId('runs-definition').selectOption('expense-approval')
    await expect.poll(() => page.getByTestId('run-item').count()).toBe(10)
    await page.getByTestId('runs-older').click()
    await expect.poll(() => page.getByTestId('run-item').count()).toBe(1)
    await expect(page.getByTestId('runs-older').isDisabled()).resolves.toBe(true)
    await page.getByTestId('runs-newer').click()
    await expect.poll(() => page.getByTestId('run-item').count()).toBe(10)
    await page.getByTestId('runs-status').selectOption('completed')
    await page.locator('.run-list .empty').filter({ hasText: 'No runs.' }).waitFor()
    await page.getByTestId('runs-status').selectOption('')
    const runId = (await page.getByTestId('run-item').nth(3).getAttribute('data-run-id'))!
    await page.getByTestId('runs-search').fill(runId)
    await page.getByTestId('runs-search').press('Enter')
    await expect.poll(() => page.getByTestId('run-item').count()).toBe(1)
    await page.getByTestId('run-item').click()
    await page.locator(`[data-testid="run-panel"][data-run-id="${runId}"]`).waitFor()

    // Progress events are in the log but hidden until asked for.
    await events(page, 'task.completed', 'check').waitFor()
    expect(await events(page, 'task.progress', 'check').first().isVisible()).toBe(false)
    await page.getByTestId('show-progress').check()
    expect(await events(page, 'task.progress', 'check').first().isVisible()).toBe(true)

    // Copy as JSON: the events the log shows (progress included now), as a JSON list.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl })
    await page.getByTestId('copy-json').click()
    await page
      .getByTestId('log-status')
      .filter({ hasText: /^Copied \d+ events$/ })
      .waitFor()
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))
    expect(copied.map((event: { runId: string }) => event.runId)).toEqual(copied.map(() => runId))
    expect(copied.map((event: { type: string }) => event.type)).toContain('task.progress')

    const download = page.waitForEvent('download')
    await page.getByTestId('export-ndjson').click()
    const file = await download
    expect(file.suggestedFilename()).toBe(`run-${runId}.ndjson`)
    const chunks: Buffer[] = []
    for await (const chunk of (await file.createReadStream())!) chunks.push(chunk as Buffer)
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines[0]).toMatchObject({ type: 'workflow.started', runId, seq: 1 })
    expect(lines.map((line) => line.type)).toContain('approval.required')
    expect(errors).toEqual([])
  })

  it('fits a 390 px wide screen and names every control', async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(baseUrl)
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 })
    await page.getByTestId('start-photo-pipeline').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 20_000 })
    await page.getByTestId('template-approval-chain').click()
    // Nothing sticks out to the right (wide content scrolls inside its own box).
    const sticking = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (element) =>
            element.getBoundingClientRect().right > 390.5 &&
            !element.closest('.run-graph svg, pre, .scroll-x > *'),
        )
        .map(
          (element) =>
            `${element.tagName.toLowerCase()}.${element.className} ${Math.round(element.getBoundingClientRect().right)}`,
        )
        .slice(0, 12),
    )
    expect(sticking).toEqual([])
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    // Every button, field and select has an accessible name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('button, input, select, textarea, [role="button"]')]
        .filter((element) => {
          const labelled = element.getAttribute('aria-label') || element.getAttribute('aria-labelledby')
          const id = element.id
          const label = id ? document.querySelector(`label[for="${id}"]`) : null
          const text = (element.textContent ?? '').trim()
          return !labelled && !label && !element.closest('label') && !(element.tagName === 'BUTTON' && text)
        })
        .map((element) => element.outerHTML.slice(0, 80)),
    )
    expect(unnamed).toEqual([])
    // The navigation reaches each area from the keyboard: the area takes the focus, in view.
    const nav = page.getByRole('navigation', { name: 'Studio areas' })
    await nav.getByRole('link', { name: 'Templates' }).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('area-templates')
    await expect
      .poll(() => page.locator('#area-templates').evaluate((area) => area.getBoundingClientRect().top))
      .toBeLessThan(844)
    await nav.getByRole('link', { name: 'Selected run' }).click()
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('area-run')
    await shoot(
      { screenshot: (options) => page.screenshot({ ...options, fullPage: true }) },
      'studio-390.png',
    )
  })

  it('opens the child runs of a forEach subworkflow from the inspector, and a second tab sees a run start', async () => {
    const { page, errors } = await openDemo()
    await page.getByTestId('start-album-batch').click()
    await page.locator('[data-testid="run-panel"][data-status="completed"]').waitFor({ timeout: 30_000 })
    const parentId = await panel(page).getAttribute('data-run-id')
    expect(await page.getByTestId('run-result').textContent()).toContain('"albums":2')
    await page.locator('[data-testid="graph-node"][data-task-id="albums"]').click()
    await expect.poll(() => page.getByTestId('open-child').count()).toBe(2)
    await page.getByTestId('open-child').first().click()
    await page
      .locator(`[data-testid="run-panel"]:not([data-run-id="${parentId}"])[data-status="completed"]`)
      .waitFor()
    expect(await page.getByTestId('run-result').textContent()).toMatch(/"album":"(spring|summer)"/)

    // A second tab of the same origin: its list shows a run the first tab starts.
    const other = await page.context().newPage()
    await other.goto(baseUrl)
    await other.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 })
    await page.getByTestId('start-expense-approval').click()
    await page.locator('[data-testid="run-panel"][data-status="running"]').waitFor()
    const started = await panel(page).getAttribute('data-run-id')
    await other.locator(`[data-testid="run-item"][data-run-id="${started}"]`).waitFor({ timeout: 15_000 })
    expect(errors).toEqual([])
  })
})
