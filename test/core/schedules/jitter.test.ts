import { describe, expect, it } from 'vitest'
import { jitterOf } from '../../../src/core/schedules/jitter'

describe('jitterOf', () => {
  it('gives each occurrence the same delay in [0, jitterMs), spread over the range', () => {
    const delays = Array.from({ length: 200 }, (_, i) => jitterOf(`sched:s:${i * 60_000}`, 30_000))
    expect(delays.every((d) => Number.isInteger(d) && d >= 0 && d < 30_000)).toBe(true)
    expect(new Set(delays).size).toBeGreaterThan(150)
    expect(delays).toEqual(Array.from({ length: 200 }, (_, i) => jitterOf(`sched:s:${i * 60_000}`, 30_000)))
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(20_000)
  })

  it('is 0 without jitter', () => {
    expect(jitterOf('sched:s:1', undefined)).toBe(0)
    expect(jitterOf('sched:s:1', 0)).toBe(0)
  })
})
