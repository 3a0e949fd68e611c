import { ArgumentError } from '../errors'
import type { CommitBatch, RunRecord, StoredDefinition } from './store'

/*
 * Checks of what a store is handed, made before anything reaches IndexedDB: a malformed key there
 * surfaces as a bare `DataError` that names neither the field nor the value.
 */

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value)
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

/**
 * Refuses an options argument that is not a plain object, or that has a field the call does not
 * know: an option that is misspelt or not supported would otherwise be ignored without a word.
 * `known` lists every field (checked against the options type with `satisfies`). `undefined`
 * is accepted and means no options.
 */
export function checkOptions(call: string, options: unknown, known: Readonly<Record<string, true>>): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(
      `${call}: the options must be an object such as { ${Object.keys(known)[0]}: … }; got ${describe(options)}.`,
      { value: options },
    )
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw new ArgumentError(
        `${call}: unknown option ${JSON.stringify(key)}; the options are ${Object.keys(known).join(', ')}.`,
        { value: key },
      )
    }
  }
}

/** A record key part (run id, definition id, version): a non-empty string. */
export function checkKey(what: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value
  throw new ArgumentError(`The store needs ${what} to be a non-empty string; got ${describe(value)}.`, {
    value,
  })
}

/** A list of run ids, each a non-empty string. */
export function checkRunIds(runIds: unknown): readonly string[] {
  if (!Array.isArray(runIds)) {
    throw new ArgumentError(`The store needs a list of run ids; got ${describe(runIds)}.`, { value: runIds })
  }
  for (const runId of runIds) checkKey('each runId', runId)
  return runIds
}

/** A journal position: a number (not NaN). */
export function checkSeq(what: string, value: unknown): number {
  if (typeof value === 'number' && !Number.isNaN(value)) return value
  throw new ArgumentError(
    `The store needs ${what} to be a journal sequence number; got ${describe(value)}.`,
    {
      value,
    },
  )
}

/** `RunFilter.limit` (or another call's `limit`): absent (no limit) or a whole number ≥ 0. */
export function checkLimit(limit: unknown, call = 'listRuns'): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY
  if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 0) return limit
  throw new ArgumentError(`${call}: "limit" must be a whole number ≥ 0 or absent; got ${describe(limit)}.`, {
    value: limit,
  })
}

export function checkDefinition(record: StoredDefinition): void {
  checkObject('definition record', record)
  checkKey('the definition record\'s "id"', record.id)
  checkKey('the definition record\'s "version"', record.version)
}

/** What a store rejects a second `putDefinition` of one version with: versions are immutable. */
export function versionExists(record: StoredDefinition): ArgumentError {
  return new ArgumentError(
    `Version ${record.version} of definition "${record.id}" is stored already; versions are immutable, store a new version.`,
    { value: { id: record.id, version: record.version } },
  )
}

/** The fields a run record is keyed, indexed and fenced by. */
export function checkRun(record: RunRecord): void {
  checkObject('run record', record)
  checkKey('the run record\'s "runId"', record.runId)
  checkKey(`run "${record.runId}"'s "definitionId"`, record.definitionId)
  checkKey(`run "${record.runId}"'s "status"`, record.status)
  for (const field of ['createdAt', 'updatedAt', 'epoch'] as const) {
    if (!Number.isFinite(record[field])) {
      throw new ArgumentError(
        `The store needs run "${record.runId}"'s "${field}" to be a finite number; got ${describe(record[field])}.`,
        { value: record },
      )
    }
  }
}

export function checkBatch(batch: CommitBatch): void {
  checkObject('commit batch', batch)
  for (const list of ['entries', 'runs', 'snapshots'] as const) {
    if (!Array.isArray(batch[list])) {
      throw new ArgumentError(
        `commit: the batch's "${list}" must be an array (use [] for none); got ${describe(batch[list])}.`,
        { value: batch },
      )
    }
  }
  for (const record of batch.runs) checkRun(record)
  if (batch.fences !== undefined && !Array.isArray(batch.fences)) {
    throw new ArgumentError(
      `commit: the batch's "fences" must be an array when given; got ${describe(batch.fences)}.`,
      {
        value: batch,
      },
    )
  }
  for (const fence of batch.fences ?? []) {
    checkObject('fence', fence)
    checkKey('each fence\'s "runId"', fence.runId)
    checkSeq(`"epoch" of the fence of run "${fence.runId}"`, fence.epoch)
  }
  if (batch.outputs !== undefined && !Array.isArray(batch.outputs)) {
    throw new ArgumentError(
      `commit: the batch's "outputs" must be an array when given; got ${describe(batch.outputs)}.`,
      { value: batch },
    )
  }
  for (const output of batch.outputs ?? []) {
    checkObject('output record', output)
    checkKey('each output record\'s "key"', output.key)
  }
  for (const item of [...batch.entries, ...batch.snapshots, ...(batch.outputs ?? [])]) {
    checkObject('journal entry or snapshot', item)
    checkKey('each journal entry\'s and snapshot\'s "runId"', item.runId)
    checkSeq(`"seq" of an entry or snapshot of run "${item.runId}"`, item.seq)
  }
}

function checkObject(what: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(`The store needs a ${what} object; got ${describe(value)}.`, { value })
  }
}
