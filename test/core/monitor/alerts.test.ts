import { describe, expect, it } from 'vitest'

import { alertFor } from '../../../src/core/monitor/alerts'
import { SpindleError } from '../../../src/errors'

import type { Health, HealthLevel } from '../../../src/types'

const scores: Record<HealthLevel, number> = { healthy: 85, warning: 62, critical: 31 }

function health(level: HealthLevel, runId: string | null = 'run-1'): Health {
  const parts = { time: 20, success: 100, errors: 90, efficiency: 75 }
  return runId === null
    ? { score: scores[level], level, parts }
    : { runId, score: scores[level], level, parts }
}

describe('alertFor', () => {
  it.each([
    ['healthy', 'warning'],
    ['warning', 'critical'],
    ['healthy', 'critical'],
  ] as const)('raises an alert when the level falls from %s to %s', (previous, level) => {
    expect(alertFor(previous, health(level), 1234)).toEqual({
      runId: 'run-1',
      at: 1234,
      level,
      previous,
      score: scores[level],
      message: `Run run-1 health fell from ${previous} to ${level} (score ${scores[level]}; weakest part: time 20).`,
    })
  })

  it.each([
    ['healthy', 'healthy'],
    ['warning', 'warning'],
    ['critical', 'critical'],
    ['warning', 'healthy'],
    ['critical', 'warning'],
    ['critical', 'healthy'],
  ] as const)('raises nothing from %s to %s', (previous, level) => {
    expect(alertFor(previous, health(level), 0)).toBeUndefined()
  })

  it('raises nothing on the first observation, even a critical one', () => {
    expect(alertFor(undefined, health('critical'), 0)).toBeUndefined()
  })

  it('speaks of the engine for engine-wide health and carries no run id', () => {
    const alert = alertFor('warning', health('critical', null), 5)
    expect(alert?.message).toBe(
      'Engine health fell from warning to critical (score 31; weakest part: time 20).',
    )
    expect(alert && Object.hasOwn(alert, 'runId')).toBe(false)
  })

  it('names the weakest part, rounded', () => {
    const worn: Health = {
      runId: 'r',
      score: 55,
      level: 'warning',
      parts: { time: 100, success: 80, errors: 90, efficiency: 12.6 },
    }
    expect(alertFor('healthy', worn, 0)?.message).toContain('weakest part: efficiency 13')
  })

  it('rejects a level that is not a health level, and a time that is not finite', () => {
    const bogus = 'fine' as HealthLevel
    expect(() => alertFor(bogus, health('warning'), 0)).toThrow(SpindleError)
    expect(() => alertFor(bogus, health('warning'), 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', value: 'fine' }),
    )
    expect(() => alertFor('healthy', { ...health('warning'), level: 'toString' as HealthLevel }, 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', value: 'toString' }),
    )
    expect(() => alertFor('healthy', health('warning'), Number.NaN)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
