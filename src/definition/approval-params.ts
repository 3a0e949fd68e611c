import type { ValidationIssue } from '../errors'
import { checkFormSchema } from './approval-form-params'
import { formatPath, type PathSegment, show } from './issue-path'
import { endWithGuess, isComputed, isRecord, type ParamsCheck, paramIssue } from './param-rules'

/*
 * The register-time rules of `approval` params, the ones src/actions/approval.ts applies when
 * the approval starts. A `${ }` value is left to the action; a literal level is checked as far as
 * its literal parts tell (a computed `approvers` list leaves its quorum unchecked).
 */

const PARAMS = ['title', 'description', 'data', 'form', 'levels', 'selfApproval']
const LEVEL_FIELDS = ['approvers', 'groups', 'quorum', 'timeoutMs', 'onTimeout']
const ON_TIMEOUT = ['escalate', 'reject', 'approve', 'fail']
const LEVEL_EXAMPLE = "{ approvers: ['ann'], timeoutMs: 86400000, onTimeout: 'reject' }"

/** Checks a literal `approval` task's params (see the action for what each param means). */
export const checkApprovalParams: ParamsCheck = (params, at, issues) => {
  const invalid = (where: PathSegment[], rule: string, value: unknown, end = '.') =>
    paramIssue(
      issues,
      [...at, ...where],
      'param_invalid',
      `approval: params.${formatPath(where)} ${rule}; got ${show(value)}${end}`,
    )
  for (const key of Object.keys(params)) {
    if (PARAMS.includes(key)) continue
    const hint = LEVEL_FIELDS.includes(key)
      ? `; ${key} goes inside a level: levels: [{ ${key}: … }].`
      : endWithGuess(key, PARAMS)
    paramIssue(
      issues,
      [...at, key],
      'unknown_param',
      `approval has no param "${key}"${hint} It takes ${PARAMS.join(', ')}.`,
    )
  }
  const { title, description, form, selfApproval, levels } = params
  if (title === undefined)
    paramIssue(
      issues,
      [...at, 'title'],
      'param_required',
      'approval needs params.title, what the approvers are asked (like "Refund order ${ input.id }?").',
    )
  else if (!isComputed(title) && (typeof title !== 'string' || title.trim() === ''))
    invalid(['title'], 'must be a non-empty string, what the approvers are asked', title)
  if (description !== undefined && !isComputed(description) && typeof description !== 'string')
    invalid(['description'], 'must be a string', description)
  if (form !== undefined) checkFormSchema(form, at, ['form'], issues)
  if (selfApproval !== undefined && !isComputed(selfApproval) && typeof selfApproval !== 'boolean')
    invalid(
      ['selfApproval'],
      'must be true or false (default false: whoever started the run may not decide)',
      selfApproval,
    )
  if (levels === undefined)
    paramIssue(
      issues,
      [...at, 'levels'],
      'param_required',
      `approval needs params.levels, who decides in turn, like [${LEVEL_EXAMPLE}].`,
    )
  else if (!isComputed(levels)) checkLevels(levels, invalid, at, issues)
}

type Invalid = (where: PathSegment[], rule: string, value: unknown, end?: string) => void

function checkLevels(levels: unknown, invalid: Invalid, at: PathSegment[], issues: ValidationIssue[]) {
  if (!Array.isArray(levels) || levels.length === 0)
    invalid(['levels'], `must be a non-empty array of levels, like [${LEVEL_EXAMPLE}]`, levels)
  else for (const [i, level] of levels.entries()) checkLevel(level, i, levels.length, invalid, at, issues)
}

function checkLevel(
  level: unknown,
  i: number,
  count: number,
  invalid: Invalid,
  at: PathSegment[],
  issues: ValidationIssue[],
): void {
  const where = ['levels', i]
  if (isComputed(level)) return
  if (!isRecord(level)) {
    invalid(where, `must be an object, like ${LEVEL_EXAMPLE}`, level)
    return
  }
  for (const key of Object.keys(level)) {
    if (LEVEL_FIELDS.includes(key)) continue
    paramIssue(
      issues,
      [...at, ...where, key],
      'unknown_param',
      `approval: params.${formatPath(where)} has no field "${key}"${endWithGuess(key, LEVEL_FIELDS)} A level takes ${LEVEL_FIELDS.join(', ')}.`,
    )
  }
  const approvers = names(level.approvers, [...where, 'approvers'], invalid)
  const groups = names(level.groups, [...where, 'groups'], invalid)
  if (approvers?.size === 0 && groups?.size === 0)
    invalid(where, 'needs approvers or groups: nobody could decide it', level)
  const { quorum, timeoutMs, onTimeout } = level
  if (quorum === 'all') {
    if (approvers?.size === 0)
      invalid([...where, 'quorum'], "'all' means every listed approver; list them in approvers", quorum)
  } else if (quorum !== undefined && !isComputed(quorum)) {
    if (!(Number.isInteger(quorum) && (quorum as number) >= 1))
      invalid([...where, 'quorum'], "must be a whole number ≥ 1 or 'all'", quorum)
    else if (approvers !== undefined && groups?.size === 0 && (quorum as number) > approvers.size)
      invalid(
        [...where, 'quorum'],
        `is more than the ${approvers.size} approver${approvers.size === 1 ? '' : 's'} listed could ever give; lower it or add approvers or groups`,
        quorum,
      )
  }
  if (
    timeoutMs !== undefined &&
    !isComputed(timeoutMs) &&
    !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs < 2 ** 53)
  )
    invalid([...where, 'timeoutMs'], 'must be a number of milliseconds > 0', timeoutMs)
  if (onTimeout === undefined || isComputed(onTimeout)) return
  if (!ON_TIMEOUT.includes(onTimeout as string))
    invalid(
      [...where, 'onTimeout'],
      `must be one of ${ON_TIMEOUT.join(', ')}`,
      onTimeout,
      endWithGuess(onTimeout, ON_TIMEOUT),
    )
  else if (onTimeout === 'escalate' && i === count - 1)
    invalid(
      [...where, 'onTimeout'],
      'cannot be escalate on the last level: there is no level to escalate to; use reject, approve or fail',
      onTimeout,
    )
}

/**
 * The distinct names of a literal `approvers`/`groups` list (empty when left out), or
 * `undefined` when they are known only as the task runs (or the list is refused here).
 */
function names(value: unknown, where: PathSegment[], invalid: Invalid): Set<string> | undefined {
  if (value === undefined) return new Set()
  if (isComputed(value)) return undefined
  if (!Array.isArray(value) || !value.every((n) => (typeof n === 'string' && n !== '') || isComputed(n))) {
    invalid(where, "must be an array of non-empty names, like ['ann', 'bob']", value)
    return undefined
  }
  return value.some(isComputed) ? undefined : new Set(value as string[])
}
