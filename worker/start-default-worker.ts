/**
 * Starts the worker `connectEngine()` uses when it is given none (`default.worker.ts`), and
 * posts it, first of all, the engine options to make its engine with (`{ type:
 * 'spindle.configure', options }`, see `worker/protocol.ts`): it serves no connection before.
 *
 * The package build keeps this module as written, next to the default worker's own entry
 * (`dist/default-worker.js`), instead of bundling the worker into an asset whose URL would point
 * at the root of the app's site. The app's bundler then finds the worker file in the package, as
 * it does for a worker of the app's own. So: plain JavaScript, and no other import.
 */
export function startDefaultWorker(options = {}) {
  const worker = new Worker(new URL('./default.worker.ts', import.meta.url), { type: 'module' })
  worker.postMessage({ type: 'spindle.configure', options })
  return worker
}
