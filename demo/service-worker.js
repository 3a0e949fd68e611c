/**
 * The studio's service worker (`sw.js` of the build, made by `scripts/offline-shell.mjs`): keeps
 * every file of the build in a cache, so the studio opens with no network. The page is asked of
 * the network first (a new build shows when online) and comes from the cache when offline; the
 * build's other files have content hashes in their names and come from the cache first.
 */
const SHELL = /* the build's files */ []
const VERSION = 'dev'
const PREFIX = 'spindle-studio-'
const CACHE = `${PREFIX}${VERSION}`

/** @type {ServiceWorkerGlobalScope} */
const worker = /** @type {any} */ (self)

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => worker.skipWaiting()),
  )
})

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => worker.clients.claim()),
  )
})

worker.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET' || new URL(request.url).origin !== worker.location.origin) return
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(async (error) => {
        const page = await caches.match('./', { cacheName: CACHE, ignoreVary: true })
        if (page) return page
        throw error
      }),
    )
    return
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE, ignoreVary: true }).then((hit) => hit ?? fetch(request)),
  )
})
