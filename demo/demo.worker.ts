/**
 * The demo's engine: the built-in actions, `work` and `flaky`, and stand-ins for the actions the
 * built-in templates name, runs kept in the IndexedDB database `spindle-demo`. Creating the
 * engine resumes the runs a reload interrupted.
 */
import { createEngine, indexedDbStore, templates } from 'spindle'
import { serveEngine } from 'spindle/worker'
import { flaky, templateStandIns, work } from './actions'

const DEMO_DATABASE = 'spindle-demo'
const templateActions = [...new Set(templates.flatMap((template) => template.actions))]

serveEngine(
  createEngine({
    store: indexedDbStore({ name: DEMO_DATABASE }),
    actions: { ...templateStandIns(templateActions), work, flaky },
  }),
  {
    // Other tabs of the demo run their own worker on the same database: they see each other's events.
    broadcast: `spindle:${DEMO_DATABASE}`,
  },
)
