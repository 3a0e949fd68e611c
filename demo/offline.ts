/**
 * The built studio opens with no network: its service worker (`sw.js`, made by
 * `scripts/offline-shell.mjs` from `demo/service-worker.js`) keeps every file of the build, whose
 * page names it in a `<meta name="spindle-service-worker">`. The dev server (`npm run demo:dev`)
 * has none: it serves modules as they change.
 */
export function keepOffline(report: (error: unknown) => void): void {
  const script = document.querySelector<HTMLMetaElement>('meta[name="spindle-service-worker"]')?.content
  if (script === undefined || !('serviceWorker' in navigator)) return
  navigator.serviceWorker.register(script).catch(report)
}

/** Whether this page came through the service worker, so that it opens again offline. */
export function opensOffline(): boolean {
  return 'serviceWorker' in navigator && navigator.serviceWorker.controller !== null
}
