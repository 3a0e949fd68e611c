import { ArgumentError } from '../errors'
import type { RunQuery, RunRecord } from './store'
import { checkKey, checkLimit } from './store-arguments'

/*
 * The one order and the one filter of `Store.listRuns`, shared by both stores so that they page
 * the same way: newest first by `createdAt`, then by `runId`, highest first (the order an
 * IndexedDB index walked backwards gives records with equal keys).
 */

/** A run query whose every field was checked; `limit` is a number (∞ when absent). */
export interface CheckedRunQuery extends RunQuery {
  limit: number
}

/** Checks a query's fields before anything reads: a bad key in IndexedDB is a bare `DataError`. */
export function checkRunQuery(query: RunQuery): CheckedRunQuery {
  const limit = checkLimit(query.limit)
  if (query.status !== undefined) {
    if (!Array.isArray(query.status)) {
      throw new ArgumentError(
        `listRuns: "status" must be an array of run statuses; got ${typeof query.status}.`,
        {
          value: query.status,
        },
      )
    }
    for (const status of query.status) checkKey('each status', status)
  }
  if (query.definitionId !== undefined) checkKey('definitionId', query.definitionId)
  if (query.parentRunId !== undefined) checkKey('parentRunId', query.parentRunId)
  for (const field of ['createdAfter', 'createdBefore'] as const) checkTime(field, query[field])
  if (query.after !== undefined) {
    checkTime('after.createdAt', query.after.createdAt ?? Number.NaN)
    checkKey('after.runId', query.after.runId)
  }
  return { ...query, limit }
}

/** True when `run` comes before `other` in the listing order. */
export function newerThan(
  run: Pick<RunRecord, 'createdAt' | 'runId'>,
  other: Pick<RunRecord, 'createdAt' | 'runId'>,
): boolean {
  return run.createdAt > other.createdAt || (run.createdAt === other.createdAt && run.runId > other.runId)
}

/** Sorts runs into the listing order. */
export function compareNewestFirst(a: RunRecord, b: RunRecord): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt
  if (a.runId === b.runId) return 0
  return a.runId > b.runId ? -1 : 1
}

/** True when the query selects `run`. */
export function selects(query: RunQuery, run: RunRecord): boolean {
  return (
    (query.status === undefined || query.status.includes(run.status)) &&
    (query.definitionId === undefined || run.definitionId === query.definitionId) &&
    (query.parentRunId === undefined || run.parentRunId === query.parentRunId) &&
    (query.createdAfter === undefined || run.createdAt > query.createdAfter) &&
    (query.createdBefore === undefined || run.createdAt < query.createdBefore) &&
    (query.after === undefined || newerThan(query.after, run))
  )
}

function checkTime(what: string, value: unknown): void {
  if (value === undefined || Number.isFinite(value)) return
  throw new ArgumentError(`listRuns: "${what}" must be a time in ms since the epoch; got ${String(value)}.`, {
    value,
  })
}

/** Whether a run in `status` has ended: the statuses a purge may delete. */
export function isEnded(status: string): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled'
}
