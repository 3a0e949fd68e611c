import type { RunEventOf } from '../core/reducer/run-step'
import { ArgumentError } from '../errors'
import type { RunState } from '../types'
import { checkId, describe } from './engine-arguments'

/*
 * The arguments of `approve` and `reject` and the vote they make. The page imports these with
 * the control table: only types may come from core/ here.
 */

/** Which approvals take `approve` and `reject`: the end of their `INVALID_STATE` message. */
export const DECISION_RULE =
  'only an open approval takes a decision, from one of its approvers, once per person and level'

/** What `approve` and `reject` are about: one approval (a task's, or a `forEach` item's) and the decision. */
export interface DecisionTarget {
  runId: string
  taskId: string
  /** Under `forEach`: the item, addressed as `'<taskId>[<index>]'`. */
  index?: number
  by: string
  decision: 'approved' | 'rejected'
  comment?: string
  form?: unknown
}

/** `'<taskId>'` or `'<taskId>[<index>]'` of run `runId` (checked already), and the decision, checked and copied. */
export function decisionOf(
  call: 'approve' | 'reject',
  runId: string,
  taskId: unknown,
  value: unknown,
): DecisionTarget {
  checkId('taskId', taskId)
  const item = /^(.+)\[(0|[1-9]\d{0,8})\]$/.exec(taskId)
  const fields = call === 'approve' ? ['by', 'comment', 'form'] : ['by', 'comment']
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(
      `${call}: the decision must be an object { ${fields.join(', ')} }; got ${describe(value)}.`,
      { value },
    )
  }
  const d = value as Record<string, unknown>
  for (const key of Object.keys(d)) {
    if (!fields.includes(key))
      throw new ArgumentError(`${call}: the decision takes ${fields.join(', ')}; "${key}" is none of them.`, {
        value: key,
      })
  }
  if (typeof d.by !== 'string' || d.by === '' || d.by.length > 200) {
    throw new ArgumentError(
      `${call}: decision.by must name who decides (a non-empty string of at most 200 characters); got ${describe(d.by)}.`,
      { value: d.by },
    )
  }
  if (d.comment !== undefined && typeof d.comment !== 'string') {
    throw new ArgumentError(
      `${call}: decision.comment must be a string; got ${describe(d.comment)}. Leave it out for none.`,
      { value: d.comment },
    )
  }
  return {
    runId,
    taskId: item ? item[1]! : taskId,
    ...(item && { index: Number(item[2]) }),
    by: d.by,
    decision: call === 'approve' ? 'approved' : 'rejected',
    ...(d.comment !== undefined && { comment: d.comment }),
    ...(d.form !== undefined && { form: formOf(d.form) }),
  }
}

/** `taskId`, or `taskId[index]` for an item. */
export function nameOf(p: DecisionTarget): string {
  return p.index === undefined ? p.taskId : `${p.taskId}[${p.index}]`
}

/** The vote, cast at the level the approval is at now (`can` refuses it at any other). */
export function votedEvent(p: DecisionTarget, run: RunState): Omit<RunEventOf<'approval.voted'>, 'at'> {
  const wait = run.tasks[p.taskId]?.wait
  const approval = p.index === undefined || wait?.kind !== 'items' ? wait : wait.items[p.index]
  return {
    type: 'approval.voted',
    taskId: p.taskId,
    ...(p.index !== undefined && { index: p.index }),
    level: approval?.kind === 'approval' ? approval.level : -1,
    by: p.by,
    decision: p.decision,
    ...(p.comment !== undefined && { comment: p.comment }),
    ...(p.form !== undefined && { form: p.form }),
  }
}

/** The form, copied now: the caller may change its object once the call returned. */
function formOf(form: unknown): unknown {
  try {
    return structuredClone(form)
  } catch (cause) {
    throw new ArgumentError(
      'approve: decision.form must be structured-clone-safe data (no functions, DOM nodes or class instances with private state).',
      { value: form, cause },
    )
  }
}
