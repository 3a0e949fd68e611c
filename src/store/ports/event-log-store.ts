import type { LoggedEvent } from '../../types'

/** An emitted event in the log. */
export interface EventLogRecord extends LoggedEvent {
  /** `<type>\u0000<id>`: one event id per type is logged once. */
  key: string
  /** Set (to 1) from the append until every waiting run was offered the event; then removed. */
  pending?: 1
}

/**
 * The log of emitted events, kept 24 h for the `wait-for-event` tasks with a `match` that begin
 * after an event came. Appending is the first step of delivering an event; `settleEvent` the last,
 * so an event whose delivery was cut off (a crash, a closed tab) is found and delivered again.
 */
export interface EventLogStore {
  /** Adds `record` (pending); resolves to false, adding nothing, when its key is logged already. */
  appendEvent(record: EventLogRecord): Promise<boolean>
  /** The logged events of `type` emitted at `since` or later, oldest first (then by key). */
  listEvents(type: string, since: number): Promise<EventLogRecord[]>
  /** The events still pending, oldest first. */
  listPendingEvents(): Promise<EventLogRecord[]>
  /** The event's delivery is done: it is no longer pending (nothing when it is not logged). */
  settleEvent(key: string): Promise<void>
  /** Deletes every event emitted before `before`; resolves to how many. */
  deleteEvents(before: number): Promise<number>
}
