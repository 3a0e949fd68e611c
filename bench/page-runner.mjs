// @ts-check
/**
 * Opens one benchmark page in Chromium, waits for it to set `window.__benchDone`, and hands back
 * its `window.__benchResults`.
 */
import { startProfile } from './cpu-profile.mjs'

/**
 * @param {number} ms
 */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Opens one benchmark page, waits for its results and closes it.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url
 * @param {number} timeoutMs
 * @param {string | undefined} profileFile where to write a CPU profile, if one is wanted
 * @returns {Promise<any>} the page's `__benchResults`
 */
export async function runPage(context, url, timeoutMs, profileFile) {
  const page = await context.newPage()
  try {
    // An uncaught error (a module of the page or of its worker failing to load, say) leaves the
    // page waiting for ever: stop at the first one rather than at the timeout.
    /** @type {Error | undefined} */
    let uncaught
    page.on('pageerror', (error) => {
      console.error(`[page] ${error.message}`)
      uncaught ??= error
    })
    page.on('requestfailed', (request) => console.error(`[page] request failed: ${request.url()}`))
    page.on('response', (response) => {
      if (response.status() >= 400) console.error(`[page] HTTP ${response.status()} ${response.url()}`)
    })
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        console.error(`[page ${message.type()}] ${message.text()}`)
    })
    const stopProfile = profileFile ? await startProfile(page) : undefined
    await page.goto(url)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const done = await page.evaluate(() => /** @type {any} */ (window).__benchDone === true)
      if (done) break
      if (uncaught) throw new Error(`${url} failed: ${uncaught.message}`)
      if (Date.now() > deadline) throw new Error(`${url} did not finish within ${timeoutMs} ms.`)
      await sleep(100)
    }
    const results = await page.evaluate(() => /** @type {any} */ (window).__benchResults)
    if (stopProfile && profileFile) {
      for (const line of await stopProfile(profileFile)) console.log(line)
      console.log(`CPU profile: ${profileFile}\n`)
    }
    return results
  } finally {
    await page.close()
  }
}
