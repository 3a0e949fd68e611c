import { simulatedClock, systemClock } from 'spindle'
import { describe, expect, it } from 'vitest'

describe('systemClock', () => {
  it('chains a timeout longer than a 32-bit delay instead of firing it at once', async () => {
    let fired = false
    // 30 days: setTimeout alone would overflow and fire immediately.
    const handle = systemClock.setTimeout(
      () => {
        fired = true
      },
      30 * 24 * 3600 * 1000,
    )
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(fired).toBe(false)
    systemClock.clearTimeout(handle)
  })

  it('fires a short timeout, and not after it was cleared', async () => {
    let fired = 0
    systemClock.setTimeout(() => fired++, 1)
    const cleared = systemClock.setTimeout(() => fired++, 1)
    systemClock.clearTimeout(cleared)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(fired).toBe(1)
  })
})

describe('simulatedClock', () => {
  it('fires timers in due order as time advances, and only then', () => {
    const clock = simulatedClock(1000)
    const seen: string[] = []
    clock.setTimeout(() => seen.push('b'), 20)
    clock.setTimeout(() => seen.push('a'), 10)
    const gone = clock.setTimeout(() => seen.push('x'), 15)
    clock.clearTimeout(gone)
    expect(clock.pending).toBe(2)
    clock.advance(9)
    expect(seen).toEqual([])
    clock.advance(11)
    expect(seen).toEqual(['a', 'b'])
    expect(clock.now()).toBe(1020)
    clock.advanceTo(5000)
    expect(clock.now()).toBe(5000)
  })
})
