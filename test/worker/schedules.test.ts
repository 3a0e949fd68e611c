import { filter, firstValueFrom } from 'rxjs'
import { ArgumentError, type ScheduleEvent, type WorkflowDefinition } from 'spindle'
import { describe, expect, it } from 'vitest'
import { withTwoTabs } from './engine-worker'

const wf: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'tick',
  version: '1.0.0',
  params: { at: { type: 'number' } },
  tasks: { a: { action: 'transform', params: { value: '${ input.at }' } } },
}

const fired = (event: { type: string }): event is ScheduleEvent => event.type === 'schedule.fired'

describe('schedules through the worker', () => {
  it('schedule, listSchedules and unschedule reach the engine; every tab sees the leader fire once', async () => {
    await withTwoTabs('schedules', async (tab, other) => {
      await tab.register(wf)
      await expect(other.schedule({ workflow: 'tick', everyMs: 0 })).rejects.toBeInstanceOf(ArgumentError)
      const inTab = firstValueFrom(tab.events$.pipe(filter(fired)))
      const inOther = firstValueFrom(other.events$.pipe(filter(fired)))
      const seen: ScheduleEvent[][] = [[], []]
      tab.events$.pipe(filter(fired)).subscribe((e) => seen[0]!.push(e))
      other.events$.pipe(filter(fired)).subscribe((e) => seen[1]!.push(e))
      // The first occurrence is `startAt` itself, a moment from now; the next one an hour later.
      const startAt = Date.now() + 300
      const info = await other.schedule({
        id: 'soon',
        workflow: 'tick',
        everyMs: 3_600_000,
        startAt,
        input: { at: '${ schedule.scheduledAt }' },
      })
      expect(info.nextRuns[0]).toBe(startAt)
      expect((await tab.listSchedules()).map((s) => s.id)).toEqual(['soon'])
      const [a, b] = await Promise.all([inTab, inOther])
      expect(a).toEqual(b)
      expect(a).toMatchObject({ scheduleId: 'soon', scheduledAt: startAt, runId: `sched:soon:${startAt}` })
      expect((await tab.wait(a.runId, { timeoutMs: 10_000 })).tasks.a!.output).toBe(startAt)
      expect((await tab.listRuns()).runs.map((r) => r.runId)).toEqual([a.runId])
      await tab.unschedule('soon')
      expect(await other.listSchedules()).toEqual([])
      // Once each: neither the engines' schedule channel nor the workers' event mirror repeats it.
      expect(seen).toEqual([[a], [a]])
      await tab.close()
      await other.close()
    })
  })
})
