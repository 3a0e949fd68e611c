import type { Store } from 'spindle'

/** The `Store` methods: every member but `name`. */
export type StoreMethod = {
  [K in keyof Store]: Store[K] extends (...args: any[]) => any ? K : never
}[keyof Store]

// A record, not a list: the compiler refuses it when a port gains a method that is not named
// here, so a wrapper built from it can never lack one.
const EVERY_METHOD: Record<StoreMethod, true> = {
  putDefinition: true,
  getDefinition: true,
  latestVersion: true,
  listDefinitions: true,
  deleteDefinition: true,
  setDefinitionFormat: true,
  createRun: true,
  getRun: true,
  listRuns: true,
  claimRun: true,
  claimRuns: true,
  listWakeups: true,
  listEventWaiters: true,
  setRunFormat: true,
  commit: true,
  readJournal: true,
  readEntries: true,
  readOutputs: true,
  latestSnapshot: true,
  readRestorePoints: true,
  rollBack: true,
  deleteRuns: true,
  listApprovals: true,
  deleteApprovals: true,
  getCacheEntry: true,
  putCacheEntry: true,
  deleteCacheEntries: true,
  nextCacheExpiry: true,
  touchCacheEntry: true,
  evictCacheEntries: true,
  cacheBytes: true,
  getSecret: true,
  putSecret: true,
  deleteSecret: true,
  countRecords: true,
  listSecrets: true,
  putRoute: true,
  deleteRoute: true,
  listRoutes: true,
  getEmitted: true,
  putEmitted: true,
  appendEvent: true,
  listEvents: true,
  listPendingEvents: true,
  settleEvent: true,
  deleteEvents: true,
  getSchedule: true,
  putSchedule: true,
  reviseSchedule: true,
  deleteSchedule: true,
  listSchedules: true,
  advanceSchedule: true,
  close: true,
}

/** Every `Store` method, for wrappers that forward each of them to an inner store. */
export const STORE_METHODS = Object.keys(EVERY_METHOD) as StoreMethod[]
