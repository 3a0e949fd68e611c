import { cronOf } from '../core/schedules/schedule-times'
import { compileScopeTemplate } from '../definition/scope-template'
import { ArgumentError } from '../errors'
import type { ScheduleSpec } from '../types'

const SPEC_KEYS = new Set([
  'id',
  'workflow',
  'version',
  'cron',
  'everyMs',
  'timezone',
  'input',
  'startAt',
  'endAt',
  'jitterMs',
  'overlap',
  'catchUp',
  'paused',
])
const OVERLAPS = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow-all']
const POLICIES = ['latest', 'all', 'none']
const SCHEDULE_ID = /^[A-Za-z0-9_.-]{1,100}$/

const isTime = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isPositive = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Every problem of a schedule spec, as sentences naming the field, what it got and what it
 * takes; empty when the spec is good. A bad cron expression or time zone is reported with
 * croner's own reason, a bad `input` template with its path.
 */
export function scheduleSpecProblems(spec: unknown): string[] {
  if (!isObject(spec)) return [`the spec must be an object like { workflow: 'report', cron: '0 9 * * *' }`]
  const problems: string[] = []
  for (const key of Object.keys(spec))
    if (!SPEC_KEYS.has(key)) problems.push(`"${key}" is not a schedule field`)
  const {
    id,
    workflow,
    version,
    cron,
    everyMs,
    timezone,
    input,
    startAt,
    endAt,
    jitterMs,
    overlap,
    catchUp,
  } = spec
  if (id !== undefined && (typeof id !== 'string' || !SCHEDULE_ID.test(id))) {
    problems.push(`"id" must be 1 to 100 letters, digits, "_", "." or "-"; got ${JSON.stringify(id)}`)
  }
  if (typeof workflow !== 'string' || workflow === '')
    problems.push(`"workflow" must name a registered definition`)
  if (version !== undefined && typeof version !== 'string') problems.push(`"version" must be a string`)
  if ((cron === undefined) === (everyMs === undefined))
    problems.push(`give exactly one of "cron" and "everyMs"`)
  if (everyMs !== undefined && !isPositive(everyMs)) {
    problems.push(`"everyMs" must be a positive whole number of ms; got ${JSON.stringify(everyMs)}`)
  }
  if (timezone !== undefined && cron === undefined) problems.push(`"timezone" applies to "cron" only`)
  if (cron !== undefined) {
    if (typeof cron !== 'string') problems.push(`"cron" must be a string like '0 9 * * 1-5'`)
    else if (timezone !== undefined && typeof timezone !== 'string')
      problems.push(`"timezone" must be an IANA name`)
    else {
      try {
        cronOf({ cron, ...(timezone === undefined ? {} : { timezone }) }).nextRun()
      } catch (error) {
        problems.push(
          `"cron" ${JSON.stringify(cron)} in time zone ${JSON.stringify(timezone ?? 'UTC')}: ${reason(error)}`,
        )
      }
    }
  }
  if (input !== undefined && !isObject(input)) problems.push(`"input" must be an object`)
  // Its `${ }` templates read `schedule` (id, scheduledAt, lateMs): compiled now, not at the first fire.
  else if (input !== undefined) compileScopeTemplate('schedule', input, problems)
  for (const [name, value] of [
    ['startAt', startAt],
    ['endAt', endAt],
  ] as const) {
    if (value !== undefined && !isTime(value)) problems.push(`"${name}" must be a time in ms since the epoch`)
  }
  if (isTime(startAt) && isTime(endAt) && (endAt as number) <= (startAt as number)) {
    problems.push(`"endAt" must come after "startAt"`)
  }
  if (jitterMs !== undefined && !(isTime(jitterMs) && (jitterMs as number) >= 0)) {
    problems.push(`"jitterMs" must be a whole number of ms, 0 or more`)
  }
  if (overlap !== undefined && !OVERLAPS.includes(overlap as string)) {
    problems.push(`"overlap" must be one of ${OVERLAPS.join(', ')}; got ${JSON.stringify(overlap)}`)
  }
  if (catchUp !== undefined) problems.push(...catchUpProblems(catchUp))
  if (spec.paused !== undefined && typeof spec.paused !== 'boolean')
    problems.push(`"paused" must be a boolean`)
  return problems
}

function catchUpProblems(catchUp: unknown): string[] {
  if (!isObject(catchUp)) return [`"catchUp" must be an object like { policy: 'latest' }`]
  const problems: string[] = []
  const { policy, windowMs, maxRuns } = catchUp
  if (policy !== undefined && !POLICIES.includes(policy as string)) {
    problems.push(`"catchUp.policy" must be one of ${POLICIES.join(', ')}; got ${JSON.stringify(policy)}`)
  }
  if (windowMs !== undefined && !isPositive(windowMs))
    problems.push(`"catchUp.windowMs" must be a positive whole number`)
  if (maxRuns !== undefined && !isPositive(maxRuns))
    problems.push(`"catchUp.maxRuns" must be a positive whole number`)
  return problems
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Checks a schedule spec; a bad one is an `ArgumentError` (`INVALID_ARGUMENT`) that lists every
 * problem, with the spec as its `value`.
 */
export function checkScheduleSpec(call: string, spec: unknown): asserts spec is ScheduleSpec {
  const problems = scheduleSpecProblems(spec)
  if (problems.length === 0) return
  throw new ArgumentError(
    `${call}: the schedule spec has ${problems.length} problem(s): ${problems.join('; ')}.`,
    {
      value: spec,
    },
  )
}
