import type { ValidationIssue } from '../errors'
import { fileParamsProblems } from '../file-params'
import type { WorkflowDefinition } from '../types'
import { checkAiParams } from './ai-params'
import { checkApprovalParams } from './approval-params'
import { checkHttpParams } from './http-params'
import { type PathSegment, show } from './issue-path'
import { endWithGuess, isComputed, isRecord, type ParamsCheck, paramIssue, renameHint } from './param-rules'
import { checkWaitMatch } from './wait-match'

/*
 * The register-time rules of the built-in actions' params, the same the actions apply when they
 * run (src/actions/*.ts; test/engine/builtin-params.test.ts runs both on one table of bad params).
 * Only literal values are checked: a `${ }` string is resolved, and checked, as the task runs.
 * `state-machine` is checked in machine-params.ts, since it needs the engine's machines.
 * `subworkflow` here also refuses a task that runs its own workflow (`self_reference`).
 */

const transform: ParamsCheck = (params, at, issues) => {
  if ('value' in params) return
  paramIssue(
    issues,
    [...at, 'value'],
    'param_required',
    `transform needs params.value, the value the task outputs (a literal or "\${ expr }"); got params ${show(params)}${renameHint(params, 'value')}.`,
  )
}

const delay: ParamsCheck = (params, at, issues) => {
  const { ms, until } = params
  if (ms !== undefined && until !== undefined) {
    paramIssue(
      issues,
      [...at, 'until'],
      'param_invalid',
      `delay takes params.ms or params.until, not both; got ms ${show(ms)} and until ${show(until)}: remove one.`,
    )
  } else if (ms !== undefined) {
    if (!isComputed(ms) && !(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0))
      paramIssue(
        issues,
        [...at, 'ms'],
        'param_invalid',
        `delay: params.ms must be a number of milliseconds ≥ 0, like 5000; got ${show(ms)}.`,
      )
  } else if (until !== undefined) {
    const time = typeof until === 'string' ? Date.parse(until) : until
    if (!isComputed(until) && !(typeof time === 'number' && Number.isFinite(time)))
      paramIssue(
        issues,
        [...at, 'until'],
        'param_invalid',
        `delay: params.until must be ms since epoch or an ISO date like "2030-01-31T09:00:00Z"; got ${show(until)}.`,
      )
  } else {
    const hint = secondsHint(params) || renameHint(params, 'ms') || renameHint(params, 'until')
    paramIssue(
      issues,
      [...at, 'ms'],
      'param_required',
      `delay needs params.ms (a duration in ms) or params.until (ms since epoch or an ISO date); got params ${show(params)}${hint}.`,
    )
  }
}

/** `{ seconds: 5 }` (or `sec`, `s`): `; write "ms": 5000 instead of "seconds": 5`. */
function secondsHint(params: Record<string, unknown>): string {
  const key = ['seconds', 'secs', 'sec', 's'].find((name) => Object.hasOwn(params, name))
  if (key === undefined) return ''
  const value = params[key]
  const ms = typeof value === 'number' ? String(value * 1000) : `<${key} × 1000>`
  return `; write "ms": ${ms} instead of "${key}": ${show(value)}`
}

const waitForEvent: ParamsCheck = (params, at, issues) => {
  const { event, timeoutMs } = params
  if (event === undefined) {
    paramIssue(
      issues,
      [...at, 'event'],
      'param_required',
      `wait-for-event needs params.event, the name of the signal to wait for; got params ${show(params)}${renameHint(params, 'event')}.`,
    )
  } else if (!isComputed(event) && (typeof event !== 'string' || event === '')) {
    paramIssue(
      issues,
      [...at, 'event'],
      'param_invalid',
      `wait-for-event: params.event must be the non-empty name of a signal, like "paid"; got ${show(event)}.`,
    )
  }
  if (timeoutMs !== undefined && !isComputed(timeoutMs) && !(typeof timeoutMs === 'number' && timeoutMs > 0))
    paramIssue(
      issues,
      [...at, 'timeoutMs'],
      'param_invalid',
      `wait-for-event: params.timeoutMs must be a number of milliseconds > 0, or left out to wait without a deadline; got ${show(timeoutMs)}.`,
    )
  checkMatch(params.match, at, issues)
}

/** `match` of `wait-for-event`: a literal CEL over `event` and `run`, compiled now (see wait-match.ts). */
function checkMatch(match: unknown, at: PathSegment[], issues: ValidationIssue[]): void {
  if (match === undefined) return
  const problem =
    typeof match !== 'string'
      ? `must be a CEL expression over event and run, like "event.data.orderId == run.input.orderId"; got ${show(match)}`
      : isComputed(match)
        ? `is a CEL expression itself, compiled when the workflow is registered: write it without \${ }, like "event.data.orderId == run.input.orderId"; got ${show(match)}`
        : checkWaitMatch(match)
  if (typeof problem !== 'string') return
  paramIssue(issues, [...at, 'match'], 'param_invalid', `wait-for-event: params.match ${problem}.`)
}

const subworkflow: ParamsCheck = (params, at, issues, workflowId) => {
  const { workflow, version, input, wait, onParentCancel } = params
  const bad = (key: string, rule: string, value: unknown, end = '.') =>
    paramIssue(
      issues,
      [...at, key],
      'param_invalid',
      `subworkflow: params.${key} ${rule}; got ${show(value)}${end}`,
    )
  if (workflow === undefined) {
    paramIssue(
      issues,
      [...at, 'workflow'],
      'param_required',
      `subworkflow needs params.workflow, the workflow id of the child run; got params ${show(params)}${renameHint(params, 'workflow')}.`,
    )
  } else if (!isComputed(workflow) && (typeof workflow !== 'string' || workflow === '')) {
    bad('workflow', 'must be the workflow id of the child run, like "shipping"', workflow)
  } else if (workflowId !== undefined && workflow === workflowId) {
    // It would start itself again on every run, down to the depth limit; a computed id is left to that limit.
    paramIssue(
      issues,
      [...at, 'workflow'],
      'self_reference',
      `Task ${show(at[1])} runs workflow ${show(workflow)} as a child, the workflow it belongs to, which would start itself again forever; name another workflow.`,
    )
  }
  if (version !== undefined && !isComputed(version) && (typeof version !== 'string' || version === ''))
    bad('version', 'must be a version string like "1.2.0"; leave it out for the highest registered', version)
  if (input !== undefined && !isComputed(input) && !isRecord(input))
    bad('input', "must be an object, the child run's input", input)
  if (wait !== undefined && !isComputed(wait) && typeof wait !== 'boolean')
    bad('wait', 'must be true (wait for the child) or false (output { runId } at once)', wait)
  if (
    onParentCancel !== undefined &&
    !isComputed(onParentCancel) &&
    onParentCancel !== 'cancel' &&
    onParentCancel !== 'abandon'
  ) {
    const end = endWithGuess(onParentCancel, ['cancel', 'abandon'])
    bad('onParentCancel', 'must be "cancel" (the default) or "abandon"', onParentCancel, end)
  }
}

/** `file`: the action's own rules (src/file-params.ts), on the literal values. */
const file: ParamsCheck = (params, at, issues) => {
  for (const { key, code, message } of fileParamsProblems(params, isComputed))
    paramIssue(issues, [...at, key], code, message)
}

/** The register-time check of each built-in that takes params. */
const CHECKS: Readonly<Record<string, ParamsCheck>> = {
  transform,
  delay,
  'wait-for-event': waitForEvent,
  subworkflow,
  approval: checkApprovalParams,
  http: checkHttpParams,
  file,
  ai: checkAiParams,
}

/**
 * The issues of the literal params of every built-in task and compensation, by path
 * (`tasks.<id>.params.<field>…`): each is something the action would refuse with
 * `INPUT_INVALID` when it runs. Params that are not an object are left to the schema.
 *
 * @example
 * checkBuiltinParams(def)
 * // [{ path: 'tasks.t.params.value', code: 'param_required', message: 'transform needs params.value, …' }]
 */
export function checkBuiltinParams(def: WorkflowDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = []
  const tasks = isRecord(def.tasks) ? def.tasks : {}
  for (const [id, task] of Object.entries(tasks)) {
    if (!isRecord(task)) continue
    checkCall(task, ['tasks', id], issues, def.id)
    if (
      task.forEach !== undefined &&
      task.action === 'wait-for-event' &&
      isRecord(task.params) &&
      'match' in task.params
    )
      paramIssue(
        issues,
        ['tasks', id, 'params', 'match'],
        'param_invalid',
        `wait-for-event: params.match is not supported under forEach (each item waits for a signal of its own); wait for the emitted event in a task without forEach.`,
      )
    if (isRecord(task.compensate)) checkCall(task.compensate, ['tasks', id, 'compensate'], issues)
  }
  return issues
}

function checkCall(
  call: Record<string, unknown>,
  at: PathSegment[],
  issues: ValidationIssue[],
  workflowId?: unknown,
): void {
  const check = typeof call.action === 'string' && Object.hasOwn(CHECKS, call.action) && CHECKS[call.action]
  if (!check || (call.params !== undefined && !isRecord(call.params))) return
  check((call.params as Record<string, unknown> | undefined) ?? {}, [...at, 'params'], issues, workflowId)
}
