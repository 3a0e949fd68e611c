import { createEngine, type EngineEvent, simulatedClock } from 'spindle'
import { describe, expect, it } from 'vitest'
import { until } from '../support/engine-fixtures'

// The example of the README section "Schedules", as written there, on a simulated clock.
describe('README example: Schedules', () => {
  it('schedules, pauses, lists, reports missed occurrences and unschedules', async () => {
    const clock = simulatedClock(Date.parse('2026-11-30T12:00:00Z'))
    const engine = createEngine({ clock })
    try {
      const reportDefinition = {
        schemaVersion: '2.0',
        id: 'report',
        version: '1.2.0',
        params: { day: { type: 'number' }, note: { type: 'string' } },
        tasks: { a: { action: 'noop' } },
      }
      await engine.register(reportDefinition)
      await engine.schedule({
        id: 'nightly',
        workflow: 'report',
        version: '1.2.0',
        cron: '0 2 * * *',
        timezone: 'Europe/Berlin',
        input: { day: '${ schedule.scheduledAt }', note: '${ schedule.lateMs } ms late' },
        startAt: Date.parse('2026-12-01'),
        endAt: Date.parse('2027-12-01'),
        jitterMs: 60_000,
        overlap: 'skip',
        catchUp: { policy: 'all', windowMs: 7 * 24 * 3600_000, maxRuns: 3 },
      })
      await engine.updateSchedule('nightly', { paused: true })
      const warned: string[] = []
      engine.events$.subscribe((e: EngineEvent) => {
        if (e.type === 'schedule.missed') warned.push(`${e.scheduleId} ${e.reason} ${e.count ?? 1}`)
      })
      // 02:00 in Berlin on 1 December is 01:00 UTC; the jitter delays it by less than a minute.
      clock.advanceTo(Date.parse('2026-12-01T01:01:00Z'))
      await until(() => warned.length === 1)
      expect(warned).toEqual(['nightly paused 1'])
      await engine.updateSchedule('nightly', { paused: false })
      const [nightly] = await engine.listSchedules()
      expect(nightly).toMatchObject({ id: 'nightly', workflow: 'report', paused: false })
      expect(nightly!.nextRuns).toHaveLength(5)
      expect(nightly!.nextRuns[0]).toBe(Date.parse('2026-12-02T01:00:00Z'))
      expect(nightly!.recent).toEqual([
        { scheduledAt: Date.parse('2026-12-01T01:00:00Z'), outcome: 'missed', reason: 'paused' },
      ])
      clock.advanceTo(Date.parse('2026-12-02T01:01:00Z'))
      const runId = `sched:nightly:${Date.parse('2026-12-02T01:00:00Z')}`
      await until(async () => (await engine.getRun(runId)) !== undefined)
      const run = await engine.wait(runId)
      expect(run.input.day).toBe(Date.parse('2026-12-02T01:00:00Z'))
      expect(run.input.note).toMatch(/^\d+ ms late$/)
      await engine.unschedule('nightly')
      expect(await engine.listSchedules()).toEqual([])
      expect((await engine.getRun(runId))?.status).toBe('completed')
    } finally {
      await engine.close()
    }
  })
})
