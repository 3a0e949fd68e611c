// An app's own worker: its own action, a memory store.
import { createEngine, memoryStore } from 'spindle'
import { serveEngine } from 'spindle/worker'

const double = (input) => input.value * 2
serveEngine(createEngine({ store: memoryStore({ name: 'consumer-own' }), actions: { double } }))
