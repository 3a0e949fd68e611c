import { ArgumentError } from '../../errors'
import type { Alert, Health, HealthLevel } from '../../types'

/**
 * The alert to raise when a health level got worse since the previous observation:
 * healthy → warning, warning → critical, healthy → critical. Anything else (the same level, a
 * recovery, or no previous level yet) raises nothing.
 *
 * @param previous the level last observed for the same run (or the engine), if any
 * @param health the health just computed
 * @param at when, in ms since the epoch
 * @throws {ArgumentError} `INVALID_ARGUMENT` when `previous` or `health.level` is not a health
 *   level, or `at` is not a finite number
 *
 * @example
 * alertFor('healthy', computeHealth(state, now), now)
 * // { runId: 'r1', at: now, level: 'warning', previous: 'healthy', score: 62,
 * //   message: 'Run r1 health fell from healthy to warning (score 62; weakest part: time 20).' }
 * alertFor('critical', { score: 80, level: 'healthy', parts }, now) // undefined
 */
export function alertFor(previous: HealthLevel | undefined, health: Health, at: number): Alert | undefined {
  if (!Number.isFinite(at)) {
    throw new ArgumentError(`alertFor: at must be a finite time in ms since the epoch, got ${String(at)}.`, {
      value: at,
    })
  }
  if (previous === undefined) return undefined
  const before = severity(previous)
  const after = severity(health.level)
  if (before === undefined || after === undefined) {
    const bad = before === undefined ? previous : health.level
    throw new ArgumentError(
      `alertFor: ${JSON.stringify(bad)} is not a health level. Use 'healthy', 'warning' or 'critical'.`,
      { value: bad },
    )
  }
  if (after <= before) return undefined
  const subject = health.runId === undefined ? 'Engine' : `Run ${health.runId}`
  const message = `${subject} health fell from ${previous} to ${health.level} (score ${health.score}; weakest part: ${weakestPart(health)}).`
  const alert: Alert = { at, level: health.level, previous, score: health.score, message }
  if (health.runId !== undefined) alert.runId = health.runId
  return alert
}

function severity(level: string): number | undefined {
  switch (level) {
    case 'healthy':
      return 0
    case 'warning':
      return 1
    case 'critical':
      return 2
    default:
      return undefined
  }
}

function weakestPart(health: Health): string {
  const { parts } = health
  let name: keyof Health['parts'] = 'time'
  if (parts.success < parts[name]) name = 'success'
  if (parts.errors < parts[name]) name = 'errors'
  if (parts.efficiency < parts[name]) name = 'efficiency'
  return `${name} ${Math.round(parts[name])}`
}
