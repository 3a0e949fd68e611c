import { ArgumentError } from '../errors'
import type { RunStatus } from '../types'
import type { PurgeFilter } from './engine-types'

/** The statuses a purge may delete. */
export const ENDED: readonly RunStatus[] = ['completed', 'failed', 'cancelled']
const FILTER_FIELDS = ['status', 'endedBefore', 'definitionId', 'dryRun']

/** Refuses a purge filter with a field it does not know or a value of the wrong kind. */
export function checkPurgeFilter(filter: unknown): PurgeFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new ArgumentError('purge: the filter must be an object such as { status: ["completed"] }.', {
      value: filter,
    })
  }
  const f = filter as Record<string, unknown>
  for (const key of Object.keys(f)) {
    if (!FILTER_FIELDS.includes(key)) {
      throw new ArgumentError(
        `purge: unknown filter field "${key}"; the fields are ${FILTER_FIELDS.join(', ')}.`,
        {
          value: key,
        },
      )
    }
  }
  if (
    f.status !== undefined &&
    (!Array.isArray(f.status) || f.status.some((s) => !ENDED.includes(s as RunStatus)))
  ) {
    throw new ArgumentError(
      `purge: "status" must be a list of ended statuses (${ENDED.join(', ')}); only ended runs are purged. Got ${JSON.stringify(f.status)}.`,
      { value: f.status },
    )
  }
  if (f.endedBefore !== undefined && (typeof f.endedBefore !== 'number' || !Number.isFinite(f.endedBefore))) {
    throw new ArgumentError(
      `purge: "endedBefore" must be a time in ms since the epoch; got ${String(f.endedBefore)}.`,
      {
        value: f.endedBefore,
      },
    )
  }
  if (f.definitionId !== undefined && (typeof f.definitionId !== 'string' || f.definitionId === '')) {
    throw new ArgumentError(
      `purge: "definitionId" must be a non-empty string; got ${String(f.definitionId)}.`,
      {
        value: f.definitionId,
      },
    )
  }
  if (f.dryRun !== undefined && typeof f.dryRun !== 'boolean') {
    throw new ArgumentError(`purge: "dryRun" must be true or false; got ${String(f.dryRun)}.`, {
      value: f.dryRun,
    })
  }
  return f as PurgeFilter
}

/** `EngineOptions.retention`: each field it names a whole number ≥ 0. */
export function checkRetentionOption(retention: unknown): void {
  if (retention === undefined || retention === false) return
  const groups = { completed: ['maxAgeMs', 'maxCount'], failed: ['maxAgeMs'], cancelled: ['maxAgeMs'] }
  const fail = (what: string, value: unknown): never => {
    throw new ArgumentError(
      `createEngine: "retention${what}" is not valid (${JSON.stringify(value) ?? String(value)}); retention is false (no background deletion) or { completed?: { maxAgeMs?, maxCount? }, failed?: { maxAgeMs? }, cancelled?: { maxAgeMs? } }, each a whole number ≥ 0.`,
      { value },
    )
  }
  if (typeof retention !== 'object' || retention === null || Array.isArray(retention)) fail('', retention)
  for (const [status, limits] of Object.entries(retention as object)) {
    const fields = groups[status as keyof typeof groups]
    if (!fields) fail(`.${status}`, limits)
    if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) fail(`.${status}`, limits)
    for (const [field, value] of Object.entries(limits as object)) {
      if (!fields!.includes(field)) fail(`.${status}.${field}`, value)
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) fail(`.${status}.${field}`, value)
    }
  }
}
