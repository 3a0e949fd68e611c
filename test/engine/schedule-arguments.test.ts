import { ArgumentError } from 'spindle'
import { describe, expect, it } from 'vitest'
import { checkScheduleSpec, scheduleSpecProblems } from '../../src/engine/schedule-arguments'

describe('scheduleSpecProblems', () => {
  it('takes good cron and everyMs specs', () => {
    expect(scheduleSpecProblems({ workflow: 'wf', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' })).toEqual(
      [],
    )
    expect(
      scheduleSpecProblems({
        id: 'nightly',
        workflow: 'wf',
        everyMs: 60_000,
        startAt: 1,
        endAt: 2,
        overlap: 'buffer-one',
        catchUp: { policy: 'all', windowMs: 1000, maxRuns: 3 },
        paused: false,
      }),
    ).toEqual([])
  })

  it('lists every problem of a bad spec', () => {
    const problems = scheduleSpecProblems({
      workflow: '',
      cron: '61 * * * *',
      everyMs: 0,
      overlap: 'sometimes',
      catchUp: { policy: 'each' },
      colour: 'red',
    })
    expect(problems).toHaveLength(7)
    expect(problems.join('\n')).toMatch(/"everyMs" must be a positive/)
    expect(problems.join('\n')).toMatch(/"workflow"/)
    expect(problems.join('\n')).toMatch(/colour/)
    expect(problems.join('\n')).toMatch(/exactly one of "cron" and "everyMs"/)
    expect(problems.join('\n')).toMatch(/"cron" "61 \* \* \* \*"/)
    expect(problems.join('\n')).toMatch(/sometimes/)
    expect(problems.join('\n')).toMatch(/each/)
  })

  it('reports a time zone croner does not know', () => {
    const problems = scheduleSpecProblems({ workflow: 'wf', cron: '0 9 * * *', timezone: 'Mars/Olympus' })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/Mars\/Olympus/)
  })

  it('throws an ArgumentError that carries the spec', () => {
    const spec = { workflow: 'wf' }
    const error = (() => {
      try {
        checkScheduleSpec('schedule', spec)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(ArgumentError)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', value: spec })
  })
})
