import { formProblems } from '../actions/approval-form'
import { hasVoted, openApproval } from '../core/waits/approval-rules'
import { ArgumentError, ForbiddenError, InputError, InvalidStateError } from '../errors'
import type { RunExecutor } from '../runtime/run-executor'
import { closingRace } from './closing-race'
import type { DecisionTarget } from './decision-arguments'

/** Who decides, as the engine knows them before the run is read. */
export interface Decider {
  by: string
  /** The groups `EngineOptions.groupsOf` puts `by` in. */
  groups: readonly string[]
}

/** What checking a decider needs from the engine. */
export interface DeciderLookup {
  /** The principal the engine acts as (`engine.as(p)`, `connectEngine(…, { principal })`). */
  principal?: string
  groupsOf?: (principal: string) => string[] | Promise<string[]>
}

/**
 * The decider of an `approve`/`reject`: refused at once (`FORBIDDEN`) when the engine acts as a
 * principal other than `by`; otherwise with the groups `groupsOf` says `by` is in. `closing`
 * (the engine's) stops waiting for `groupsOf`, which the call is refused with.
 */
export async function deciderOf(
  lookup: DeciderLookup,
  target: DecisionTarget,
  closing: AbortSignal,
): Promise<Decider> {
  const { by } = target
  if (lookup.principal !== undefined && lookup.principal !== by) {
    throw new ForbiddenError(
      `${verbOf(target)}: the decision is made by "${by}", but this engine acts as "${lookup.principal}"; a principal decides only in their own name.`,
      { value: { by, principal: lookup.principal } },
    )
  }
  if (!lookup.groupsOf) return { by, groups: [] }
  const { groupsOf } = lookup
  const groups = await closingRace(closing, () => groupsOf(by))
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) {
    throw new ArgumentError(
      `EngineOptions.groupsOf("${by}") must give an array of group names, got ${JSON.stringify(groups)}.`,
      { value: groups },
    )
  }
  return { by, groups }
}

/**
 * Refuses a decision the run's approval cannot take, with the typed error that says why: no
 * approval open there (`INVALID_STATE`), a decider who may not decide it (`FORBIDDEN`), a second
 * vote (`INVALID_STATE`), a form that fails the approval's schema (`INPUT_INVALID`).
 */
export function refuseDecision(
  decider: Decider,
  target: DecisionTarget,
  run: RunExecutor,
  rule: string,
): void {
  const { runId, taskId, index, by } = target
  const what = `${verbOf(target)} of run "${runId}"`
  const t = run.state.tasks[taskId]!
  const approval = openApproval(t, index)
  if (approval === undefined) throw notOpen(what, target, run, rule)
  if (approval.until !== undefined && run.now() >= approval.until) {
    // Its timer may fire late (a throttled tab): the deadline decides all the same.
    throw new InvalidStateError(
      `${what}: level ${approval.level}'s deadline passed at ${new Date(approval.until).toISOString()}; the level takes no decision after it (its onTimeout applies); ${rule}.`,
      { value: { runId, taskId, index, level: approval.level, dueAt: approval.until } },
    )
  }
  if (!approval.selfApproval && run.record.principal === by) {
    throw new ForbiddenError(
      `${what}: "${by}" started the run and may not decide its approvals (the approval's selfApproval is false).`,
      { value: { by } },
    )
  }
  const level = approval.levels[approval.level]!
  if (!level.approvers.includes(by) && !decider.groups.some((g) => level.groups.includes(g))) {
    throw new ForbiddenError(
      `${what}: "${by}" is not an approver of level ${approval.level} (approvers: ${JSON.stringify(level.approvers)}, groups: ${JSON.stringify(level.groups)}; EngineOptions.groupsOf gave ${JSON.stringify(decider.groups)}).`,
      { value: { by, level: approval.level } },
    )
  }
  if (hasVoted(approval, by)) {
    throw new InvalidStateError(
      `${what}: "${by}" has voted at level ${approval.level} already; one vote each.`,
      {
        value: { runId, taskId, index, by },
      },
    )
  }
  if (target.decision !== 'approved' || approval.form === undefined) return
  if (target.form === undefined) {
    throw new InputError(
      [{ path: 'form', code: 'form_invalid', message: 'is required: this approval asks for a form' }],
      {
        subject: 'approval form',
        value: target.form,
      },
    )
  }
  const issues = formProblems(approval.form, target.form)
  if (issues.length > 0) throw new InputError(issues, { subject: 'approval form', value: target.form })
}

function notOpen(what: string, target: DecisionTarget, run: RunExecutor, rule: string): InvalidStateError {
  const { runId, taskId, index } = target
  const t = run.state.tasks[taskId]!
  const action = run.wf.tasks.get(taskId)!.action
  const ended =
    t.status === 'completed' || t.status === 'failed' || t.status === 'skipped' || t.status === 'cancelled'
  const why = ended
    ? `task "${taskId}" is ${t.status} and the run is ${run.state.status}`
    : action !== 'approval'
      ? `task "${taskId}" is no approval (its action is "${action}")`
      : t.status !== 'waiting'
        ? `task "${taskId}" is ${t.status} and has not reached its approval yet; a decision before it is refused, not kept — decide once approval.required is out`
        : t.wait?.kind === 'items' && index === undefined
          ? `task "${taskId}" asks for an approval per forEach item; decide each as "${taskId}[<index>]"`
          : `${index === undefined ? `task "${taskId}"` : `item ${index} of task "${taskId}"`} has no open approval`
  return new InvalidStateError(`${what}: ${why}; ${rule}.`, {
    value: { runId, taskId, index, status: t.status },
  })
}

function verbOf(target: DecisionTarget): string {
  const name = target.index === undefined ? target.taskId : `${target.taskId}[${target.index}]`
  return `Cannot ${target.decision === 'approved' ? 'approve' : 'reject'} "${name}"`
}
