/**
 * The worker `connectEngine()` starts when it is given none: an engine with the built-in actions
 * on the IndexedDB database `spindle`, which resumes that database's interrupted runs as it starts
 * and mirrors its events to the other tabs on the same database. Apps that register their own
 * actions write a worker like this one with `createEngine({ actions })`.
 */
import { createEngine, indexedDbStore } from '../src/index'
import { broadcastChannelName } from './protocol'
import { serveEngine } from './serve'

const store = indexedDbStore()
serveEngine(createEngine({ store }), { broadcast: broadcastChannelName(store.name) })
