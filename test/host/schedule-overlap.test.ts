import { describe, expect, it } from 'vitest'
import { planOverlap } from '../../src/host/schedule-overlap'
import type { StoredSchedule } from '../../src/store/store'
import type { ScheduleOverlap } from '../../src/types'

function schedule(overlap: ScheduleOverlap | undefined, more: Partial<StoredSchedule> = {}): StoredSchedule {
  return {
    scheduleId: 's',
    spec: { id: 's', workflow: 'wf', everyMs: 10, ...(overlap && { overlap }) },
    createdAt: 0,
    updatedAt: 0,
    recent: [],
    active: 'sched:s:0',
    ...more,
  }
}

describe('planOverlap', () => {
  it('skip (the default): an occurrence while a run goes is missed, the first of a pass starts', () => {
    expect(planOverlap(schedule(undefined), [10, 20], true)).toEqual({
      start: [],
      missed: [10, 20],
      pending: [],
    })
    expect(planOverlap(schedule('skip'), [10, 20], false)).toEqual({ start: [10], missed: [20], pending: [] })
  })

  it('buffer-one keeps the newest waiting; it starts first when the run ended', () => {
    expect(planOverlap(schedule('buffer-one'), [10, 20], true)).toEqual({
      start: [],
      missed: [10],
      pending: [20],
    })
    const buffered = schedule('buffer-one', { pending: [20] })
    expect(planOverlap(buffered, [30], true)).toEqual({ start: [], missed: [20], pending: [30] })
    expect(planOverlap(buffered, [], false)).toEqual({ start: [20], missed: [], pending: [] })
    expect(planOverlap(buffered, [30], false)).toEqual({ start: [20], missed: [], pending: [30] })
  })

  it('buffer-all keeps every one in order and starts one at a time', () => {
    const buffered = schedule('buffer-all', { pending: [10, 20] })
    expect(planOverlap(buffered, [30], true)).toEqual({ start: [], missed: [], pending: [10, 20, 30] })
    expect(planOverlap(buffered, [30], false)).toEqual({ start: [10], missed: [], pending: [20, 30] })
  })

  it('a paused schedule keeps what it buffered', () => {
    const paused = schedule('buffer-all', { pending: [10] })
    paused.spec.paused = true
    expect(planOverlap(paused, [], false)).toEqual({ start: [], missed: [], pending: [10] })
  })

  it('cancel-other cancels the going run and starts the newest', () => {
    expect(planOverlap(schedule('cancel-other'), [10, 20], true)).toEqual({
      start: [20],
      missed: [10],
      pending: [],
      cancel: 'sched:s:0',
    })
    expect(planOverlap(schedule('cancel-other'), [10], false)).toEqual({
      start: [10],
      missed: [],
      pending: [],
    })
  })

  it('allow-all starts every one', () => {
    expect(planOverlap(schedule('allow-all', { pending: [5] }), [10, 20], true)).toEqual({
      start: [5, 10, 20],
      missed: [],
      pending: [],
    })
  })
})
