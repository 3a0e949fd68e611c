import { ArgumentError } from '../errors'
import type { ApprovalQuery } from '../store/store'
import { checkOptions } from '../store/store-arguments'
import type { ApprovalFilter, ApprovalStatus } from '../types'
import { checkId, describe } from './engine-arguments'

const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['open', 'approved', 'rejected', 'expired']
const APPROVAL_FILTER_FIELDS = {
  status: true,
  principal: true,
  groups: true,
  runId: true,
  definitionId: true,
  dueBefore: true,
  limit: true,
} as const satisfies Record<keyof ApprovalFilter, true>

/**
 * The store query of an `ApprovalFilter`, checked before anything is read; `principal` is left for
 * the caller to resolve into a decider with its groups.
 */
export function approvalQuery(filter: unknown): Omit<ApprovalQuery, 'decider'> & { principal?: string } {
  checkOptions('listApprovals', filter, APPROVAL_FILTER_FIELDS)
  const f = (filter ?? {}) as ApprovalFilter
  const statuses = typeof f.status === 'string' ? [f.status] : f.status
  if (statuses !== undefined && !Array.isArray(statuses)) {
    throw new ArgumentError(
      `listApprovals: "status" must be an approval status or an array of them; got ${describe(statuses)}.`,
      { value: statuses },
    )
  }
  for (const status of statuses ?? []) {
    if (!APPROVAL_STATUSES.includes(status)) {
      throw new ArgumentError(
        `listApprovals: unknown status ${describe(status)}; use one of ${APPROVAL_STATUSES.join(', ')}.`,
        { value: status },
      )
    }
  }
  if (f.groups !== undefined && !isStringList(f.groups)) {
    throw new ArgumentError(
      `listApprovals: "groups" must be an array of group names (strings); got ${describe(f.groups)}.`,
      { value: f.groups },
    )
  }
  if (f.principal !== undefined) checkId('listApprovals: "principal"', f.principal)
  if (f.runId !== undefined) checkId('listApprovals: "runId"', f.runId)
  if (f.definitionId !== undefined) checkId('listApprovals: "definitionId"', f.definitionId)
  if (f.dueBefore !== undefined && !Number.isFinite(f.dueBefore)) {
    throw new ArgumentError(
      `listApprovals: "dueBefore" must be a time in ms since the epoch; got ${describe(f.dueBefore)}.`,
      { value: f.dueBefore },
    )
  }
  if (f.limit !== undefined && !(Number.isInteger(f.limit) && f.limit > 0)) {
    throw new ArgumentError(
      `listApprovals: "limit" must be a whole number ≥ 1; got ${describe(f.limit)}. Leave it out for all.`,
      { value: f.limit },
    )
  }
  return {
    ...(statuses !== undefined && { status: statuses }),
    ...(f.principal !== undefined && { principal: f.principal }),
    ...(f.groups !== undefined && { groups: [...f.groups] }),
    ...(f.runId !== undefined && { runId: f.runId }),
    ...(f.definitionId !== undefined && { definitionId: f.definitionId }),
    ...(f.dueBefore !== undefined && { dueBefore: f.dueBefore }),
    ...(f.limit !== undefined && { limit: f.limit }),
  }
}

/** The groups `groupsOf` returned, checked: a configuration mistake is named, not listed around. */
export function checkGroups(principal: string, groups: unknown): string[] {
  if (isStringList(groups)) return [...groups]
  throw new ArgumentError(
    `EngineOptions.groupsOf("${principal}") must return an array of group names (strings); got ${describe(groups)}.`,
    { value: groups },
  )
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((g) => typeof g === 'string')
}
