import { readFileSync } from 'node:fs'

const TEMPLATE = new URL('../demo/service-worker.js', import.meta.url)
const PLACEHOLDER = "const SHELL = /* the build's files */ []"

/** FNV-1a of `text`, as 8 hex digits: names the cache of one build. */
/** @param {string} text */
function fnv1a(text) {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

/**
 * The studio works offline: the build emits `sw.js`, `demo/service-worker.js` with the list of
 * every file of the build (the page, its scripts, styles and the engine's worker), which it keeps
 * in a cache named after that list. Only in `vite build`: the dev server serves modules as they
 * change, which a cache would hide.
 *
 * @returns {import('vite').Plugin}
 */
export function offlineShell() {
  return {
    name: 'spindle:offline-shell',
    apply: 'build',
    // The built page names its service worker; the page of the dev server has none to register.
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { name: 'spindle-service-worker', content: './sw.js' }, injectTo: 'head' },
    ],
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => !name.endsWith('.map'))
      const shell = ['./', ...files.sort().map((name) => `./${name}`)]
      const template = readFileSync(TEMPLATE, 'utf8')
      if (!template.includes(PLACEHOLDER)) throw new Error(`demo/service-worker.js lacks "${PLACEHOLDER}".`)
      const source = template
        .replace(PLACEHOLDER, `const SHELL = ${JSON.stringify(shell)}`)
        .replace("const VERSION = 'dev'", `const VERSION = '${fnv1a(shell.join('\n'))}'`)
      this.emitFile({ type: 'asset', fileName: 'sw.js', source })
    },
  }
}
