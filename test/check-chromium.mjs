// Run before the browser tests: they drive a real Chromium, which Playwright cannot download here.
import { existsSync } from 'node:fs'

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(path)) {
  console.error(`The tests run in Chromium, which was not found at ${path}.
Install it (Debian/Ubuntu, as root):  apt-get update && apt-get install -y chromium
or point CHROMIUM_PATH at a Chromium or Chrome binary:  CHROMIUM_PATH=/path/to/chrome npm test`)
  process.exit(1)
}
