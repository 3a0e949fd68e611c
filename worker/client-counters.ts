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
