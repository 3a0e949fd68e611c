import type { Engine } from '../src/types'
import type { Connection } from './connection'
import type { WorkerStats } from './protocol'

/**
 * Counters of the page side of the worker connection, for tests and diagnostics. Not exported
 * from any package entry: tests import this module by path.
 */
export const clientCounters = {
  /** `MessageChannel`s the client opened: one per connection, one per worker event subscription. */
  channelsOpened: 0,
  channelsClosed: 0,
  batchesReceived: 0,
  eventsReceived: 0,
  /** Run healths the page monitor computed (for engine health and alerts, not `health$(runId)`). */
  runHealthsComputed: 0,
}

const connections = new WeakMap<Engine, Connection>()

export function trackConnection(engine: Engine, connection: Connection): void {
  connections.set(engine, connection)
}

/** The page-side counters, with the channels still open. */
export function clientStats(): typeof clientCounters & { liveChannels: number } {
  return { ...clientCounters, liveChannels: clientCounters.channelsOpened - clientCounters.channelsClosed }
}

/** The counters of the worker behind an engine made by `connectEngine`. */
export function workerStats(engine: Engine): Promise<WorkerStats> {
  const connection = connections.get(engine)
  if (!connection) throw new TypeError('workerStats: this engine was not made by connectEngine.')
  return connection.stats()
}
