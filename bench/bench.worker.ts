/**
 * The worker of `worker.bench.ts`: an engine on a memory store (as in the core benchmark), served
 * with `serveEngine`. Its `name` is the BroadcastChannel to mirror events on, or empty for none.
 */
import { createEngine, memoryStore } from 'spindle'
import { serveEngine } from 'spindle/worker'

serveEngine(createEngine({ store: memoryStore(), recover: false }), { broadcast: self.name || false })
