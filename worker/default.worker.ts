/**
 * The worker `connectEngine()` starts when it is given none: an engine with the built-in actions
 * on the IndexedDB database `spindle` (or the one `options.store` names), which resumes that
 * database's interrupted runs as it starts and mirrors its events to the other tabs on the same
 * database. The page posts the engine options first (`spindle.configure`, the JSON-only
 * `ConnectOptions.engine`); the engine is made and served when they arrive. Options the engine
 * refuses throw here, which the page sees as `WorkerUnavailableError` naming the problem. Apps
 * that register their own actions write a worker like this one with `createEngine({ actions })`.
 */
import { createEngine, type EngineOptions, indexedDbStore } from '../src/index'
import type { ConfigureMessage } from './protocol'
import { broadcastChannelName } from './protocol'
import { serveEngine } from './serve'

function configure(event: MessageEvent<ConfigureMessage>): void {
  if (event.data?.type !== 'spindle.configure') return
  globalThis.removeEventListener('message', configure)
  const { store: database, ...options } = event.data.options ?? {}
  const store = indexedDbStore(database)
  // Synchronously, in the same task: the page's connect message comes next, and must find it serving.
  serveEngine(createEngine({ ...(options as EngineOptions), store }), {
    broadcast: broadcastChannelName(store.name),
  })
}

globalThis.addEventListener('message', configure)
