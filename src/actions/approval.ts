import { TaskError } from '../errors'
import type { ApprovalLevel, ApprovalTimeout, ApprovalWait } from '../types'
import { formSchemaProblem } from './approval-form'
import type { BuiltinContext } from './builtin-context'

const PARAMS = new Set(['title', 'description', 'data', 'form', 'levels', 'selfApproval'])
const LEVEL_FIELDS = new Set(['approvers', 'groups', 'quorum', 'timeoutMs', 'onTimeout'])
const ON_TIMEOUT = new Set<ApprovalTimeout>(['escalate', 'reject', 'approve', 'fail'])

/**
 * Waits durably for people to decide (an `approval` wait): `params.title`, `description`,
 * `data`, `form` (a JSON Schema subset a decision's form must satisfy, see `approval-form.ts`),
 * `levels: [{ approvers?, groups?, quorum? (a number or 'all'), timeoutMs?, onTimeout? }]` and
 * `selfApproval` (default false). Decisions come through `engine.approve`/`engine.reject`; the
 * output is `{ approved, decision, by, at, comment?, form?, votes, level, timedOut }`. Under
 * `forEach`, each item is its own approval. Bad params fail the task with `INPUT_INVALID`.
 */
export function approval(params: Record<string, unknown>, ctx: BuiltinContext) {
  const wait = approvalWaitOf(params, ctx.now())
  return ctx.waitFor(wait)
}

/** The wait `params` ask for, entered at `now`; throws `INPUT_INVALID` naming the bad param. */
export function approvalWaitOf(params: Record<string, unknown>, now: number): ApprovalWait {
  if (typeof params !== 'object' || params === null) bad('approval needs params: { title, levels }', params)
  for (const key of Object.keys(params)) {
    if (!PARAMS.has(key)) bad(`approval: unknown param "${key}"; it takes ${[...PARAMS].join(', ')}`, key)
  }
  const { title, description, data, form, levels, selfApproval } = params
  if (typeof title !== 'string' || title.trim() === '')
    bad('approval: params.title must be a non-empty string, what the approvers are asked', title)
  if (description !== undefined && typeof description !== 'string')
    bad('approval: params.description must be a string', description)
  if (form !== undefined) {
    const problem = formSchemaProblem(form, 'params.form')
    if (problem) bad(`approval: ${problem}`, form)
  }
  if (selfApproval !== undefined && typeof selfApproval !== 'boolean')
    bad('approval: params.selfApproval must be true or false (default false)', selfApproval)
  if (!Array.isArray(levels) || levels.length === 0)
    bad(
      "approval: params.levels must be a non-empty array of levels, e.g. [{ approvers: ['ann'], timeoutMs: 86400000, onTimeout: 'reject' }]",
      levels,
    )
  const checked = levels.map((level, i) => levelOf(level, i, levels.length))
  const first = checked[0]!
  return {
    kind: 'approval',
    title,
    ...(description !== undefined && { description }),
    ...(data !== undefined && { data }),
    ...(form !== undefined && { form: form as Record<string, unknown> }),
    levels: checked,
    selfApproval: selfApproval ?? false,
    level: 0,
    votes: [],
    ...(first.timeoutMs !== undefined && { until: now + first.timeoutMs }),
  }
}

function levelOf(level: unknown, i: number, count: number): ApprovalLevel {
  const at = `params.levels[${i}]`
  if (typeof level !== 'object' || level === null || Array.isArray(level))
    bad(`approval: ${at} must be an object { approvers?, groups?, quorum?, timeoutMs?, onTimeout? }`, level)
  const fields = level as Record<string, unknown>
  for (const key of Object.keys(fields)) {
    if (!LEVEL_FIELDS.has(key))
      bad(`approval: ${at} has an unknown field "${key}"; a level takes ${[...LEVEL_FIELDS].join(', ')}`, key)
  }
  const approvers = names(fields.approvers, `${at}.approvers`)
  const groups = names(fields.groups, `${at}.groups`)
  if (approvers.length === 0 && groups.length === 0)
    bad(`approval: ${at} needs approvers or groups: nobody could decide it`, level)
  const { quorum = 1, timeoutMs, onTimeout = i < count - 1 ? 'escalate' : 'reject' } = fields
  if (quorum === 'all') {
    if (approvers.length === 0)
      bad(`approval: ${at}.quorum 'all' means every listed approver; list them in approvers`, quorum)
  } else if (!Number.isInteger(quorum) || (quorum as number) < 1) {
    bad(`approval: ${at}.quorum must be a whole number ≥ 1 or 'all', got ${JSON.stringify(quorum)}`, quorum)
  } else if (groups.length === 0 && (quorum as number) > approvers.length) {
    bad(
      `approval: ${at}.quorum ${quorum} is more than its ${approvers.length} approvers could ever give`,
      quorum,
    )
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs < 2 ** 53))
    bad(`approval: ${at}.timeoutMs must be a number > 0, got ${JSON.stringify(timeoutMs)}`, timeoutMs)
  if (!ON_TIMEOUT.has(onTimeout as ApprovalTimeout))
    bad(
      `approval: ${at}.onTimeout must be one of ${[...ON_TIMEOUT].join(', ')}, got ${JSON.stringify(onTimeout)}`,
      onTimeout,
    )
  if (onTimeout === 'escalate' && i === count - 1)
    bad(
      `approval: ${at} is the last level; it has nowhere to escalate to (use reject, approve or fail)`,
      level,
    )
  return {
    approvers,
    groups,
    quorum: quorum as number | 'all',
    ...(timeoutMs !== undefined && { timeoutMs: timeoutMs as number }),
    onTimeout: onTimeout as ApprovalTimeout,
  }
}

function names(value: unknown, at: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'string' && n !== ''))
    bad(`approval: ${at} must be an array of non-empty names`, value)
  return [...new Set(value as string[])]
}

function bad(message: string, value: unknown): never {
  throw new TaskError('INPUT_INVALID', `${message}.`, { value })
}
