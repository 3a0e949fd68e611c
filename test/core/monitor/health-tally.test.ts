import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aggregateHealth, healthLevel } from '../../../src/core/monitor/health'
import { HealthTally } from '../../../src/core/monitor/health-tally'
import type { Health } from '../../../src/types'

const part = fc.double({ min: 0, max: 100, noNaN: true })
const health = fc
  .record({ time: part, success: part, errors: part, efficiency: part })
  .map((parts): Health => ({ score: 0, level: healthLevel(0), parts }))

describe('HealthTally', () => {
  it('is healthy with every part 100 when it holds no run', () => {
    expect(new HealthTally().health()).toEqual(aggregateHealth([]))
  })

  it('equals aggregateHealth of the healths it holds, after any sets and deletes', () => {
    const op = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 9 }), health }),
      fc.record({ delete: fc.integer({ min: 0, max: 9 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const tally = new HealthTally()
        const held = new Map<string, Health>()
        for (const o of ops) {
          if ('set' in o) {
            tally.set(`r${o.set}`, o.health)
            held.set(`r${o.set}`, o.health)
          } else {
            tally.delete(`r${o.delete}`)
            held.delete(`r${o.delete}`)
          }
        }
        const expected = aggregateHealth([...held.values()])
        const actual = tally.health()
        expect(tally.size).toBe(held.size)
        for (const name of ['time', 'success', 'errors', 'efficiency'] as const) {
          expect(actual.parts[name]).toBeCloseTo(expected.parts[name], 6)
        }
      }),
      { numRuns: 50 },
    )
  })

  it('brings runs up to date in turn, a few per call, and drops those that are gone', () => {
    const tally = new HealthTally()
    const at = (value: number): Health => ({
      score: value,
      level: healthLevel(value),
      parts: { time: value, success: value, errors: value, efficiency: value },
    })
    for (const id of ['a', 'b', 'c']) tally.set(id, at(100))
    const read: string[] = []
    const now = (runId: string) => {
      read.push(runId)
      return runId === 'b' ? undefined : at(40)
    }
    tally.refreshInTurn(2, now)
    tally.refreshInTurn(2, now, new Set(['a']))
    expect(read).toEqual(['a', 'b', 'c'])
    expect(tally.size).toBe(2)
    expect(tally.health().parts.time).toBe(40)
  })
})
