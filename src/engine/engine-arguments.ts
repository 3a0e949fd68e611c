import { ArgumentError } from '../errors'
import type { RunRecord, StoredDefinition } from '../store/store'
import type { DefinitionInfo, RunFilter, RunInfo, RunStatus } from '../types'
import type { RunEvent } from '../core/run-reducer'

const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']

export function definitionInfo(record: StoredDefinition): DefinitionInfo {
  return {
    id: record.id,
    version: record.version,
    ...(record.name !== undefined && { name: record.name }),
    ...(record.description !== undefined && { description: record.description }),
    schemaVersion: record.schemaVersion,
    ...(record.migratedFrom !== undefined && { migratedFrom: record.migratedFrom }),
    registeredAt: record.registeredAt,
    taskCount: Object.keys(record.definition.tasks).length,
  }
}

export function recordInfo(r: RunRecord): RunInfo {
  return {
    runId: r.runId,
    definitionId: r.definitionId,
    version: r.version,
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }
}

export function verb(event: RunEvent): string {
  switch (event.type) {
    case 'workflow.paused':
      return 'pause'
    case 'workflow.resumed':
      return 'resume'
    case 'workflow.cancelled':
      return 'cancel'
    case 'task.retrying':
      return `retry task "${event.taskId}" of`
    case 'task.skipped':
      return `skip task "${event.taskId}" of`
    case 'signal.received':
      return `signal "${event.name}" to`
    default:
      return event.type
  }
}

export function checkId(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.length > 200) {
    throw new ArgumentError(
      `${what} must be a non-empty string of at most 200 characters, got ${JSON.stringify(value)}.`,
      {
        value,
      },
    )
  }
}

export function checkLimit(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError(`maxConcurrentRuns must be a whole number ≥ 1, got ${JSON.stringify(value)}.`, {
      value,
    })
  }
  return value
}

export function checkFilter(filter: RunFilter): void {
  if (typeof filter !== 'object' || filter === null) {
    throw new ArgumentError('listRuns: the filter must be an object.', { value: filter })
  }
  for (const status of filter.status ?? []) {
    if (!RUN_STATUSES.includes(status)) {
      throw new ArgumentError(
        `listRuns: unknown status "${status}"; use one of ${RUN_STATUSES.join(', ')}.`,
        {
          value: status,
        },
      )
    }
  }
  if (filter.limit !== undefined && !(Number.isInteger(filter.limit) && filter.limit > 0)) {
    throw new ArgumentError('listRuns: limit must be a whole number > 0.', { value: filter.limit })
  }
}
