import type { RouteSpec } from '../../types'

/** A stored event route: its checked spec, as `route()` was given it. */
export interface RouteRecord {
  routeId: string
  spec: RouteSpec
  createdAt: number
}

/**
 * The last run an event route started for one dedupe key (an event id or a `dedupeKey` value).
 * `generation` counts the runs started for the key: each has a run id of its own, the same in
 * every tab, so two tabs starting the same generation at once start one run.
 */
export interface EmittedRecord {
  /** `<routeId>\u0000<key>`. */
  mark: string
  routeId: string
  generation: number
  runId: string
  /** When the run was started: the key starts nothing again within the route's window after it. */
  at: number
}

/** The event routes port: the routes, and the dedupe marks of the events they started runs for. */
export interface RouteStore {
  /** Stores a route; replaces the route with its id. */
  putRoute(record: RouteRecord): Promise<void>
  /** Deletes route `routeId` and its dedupe marks; resolves to whether there was one. */
  deleteRoute(routeId: string): Promise<boolean>
  /** Every route, in id order. */
  listRoutes(): Promise<RouteRecord[]>
  /** The dedupe mark `mark`, if any. */
  getEmitted(mark: string): Promise<EmittedRecord | undefined>
  /** Stores a dedupe mark unless the stored one has a later generation (another tab's). */
  putEmitted(record: EmittedRecord): Promise<void>
}
