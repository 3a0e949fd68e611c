import type { Engine } from '../src/index'
import { clientCounters } from './client-counters'
import type { Connection } from './connection'
import type { WorkerStats } from './protocol'

export { clientCounters }

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
