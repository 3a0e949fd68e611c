/**
 * The demo's engine: the built-in actions plus `work` and `flaky`, runs kept in the IndexedDB
 * database `spindle-demo`. Creating the engine resumes the runs a reload interrupted.
 */
import { createEngine, indexedDbStore } from 'spindle'
import { serveEngine } from 'spindle/worker'
import { flaky, work } from './actions'

const DEMO_DATABASE = 'spindle-demo'

serveEngine(createEngine({ store: indexedDbStore({ name: DEMO_DATABASE }), actions: { work, flaky } }), {
  // Other tabs of the demo run their own worker on the same database: they see each other's events.
  broadcast: `spindle:${DEMO_DATABASE}`,
})
