import { simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { DeadlineTimer } from '../../src/runtime/deadline-timer'

describe('DeadlineTimer', () => {
  it('fires at its deadline on the clock, once; arming again replaces the earlier deadline', () => {
    const clock = simulatedClock()
    const timer = new DeadlineTimer(clock)
    const fired: string[] = []
    timer.arm(clock.now() + 100, () => fired.push('first'))
    timer.arm(clock.now() + 200, () => fired.push('second'))
    clock.advance(150)
    expect(fired).toEqual([])
    clock.advance(50)
    expect(fired).toEqual(['second'])
    expect(clock.pending).toBe(0)
  })

  it('fires a deadline that passed already without the clock moving, unless disarmed first', async () => {
    const clock = simulatedClock()
    const timer = new DeadlineTimer(clock)
    const fired: string[] = []
    timer.arm(clock.now() - 1, () => fired.push('passed'))
    await Promise.resolve()
    expect(fired).toEqual(['passed'])
    timer.arm(clock.now(), () => fired.push('disarmed'))
    timer.disarm()
    timer.arm(clock.now() + 10, () => fired.push('cleared'))
    timer.disarm()
    await Promise.resolve()
    clock.advance(10)
    expect(fired).toEqual(['passed'])
    expect(clock.pending).toBe(0)
  })
})
