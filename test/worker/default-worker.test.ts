import { filter, firstValueFrom } from 'rxjs'
import { connectEngine } from 'spindle/client'
import { describe, expect, it, vi } from 'vitest'
import { deleteDatabase } from './engine-worker'

describe('connectEngine() without a worker', () => {
  it('starts the default worker (built-in actions, IndexedDB "spindle") and terminates it on close()', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate')
    const engine = connectEngine()
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'builtin',
        version: '1.0.0',
        params: { a: { type: 'number', required: true } },
        tasks: {
          first: { action: 'noop' },
          sum: { action: 'transform', dependsOn: ['first'], params: { value: '${ input.a + 1 }' } },
        },
        output: 'tasks.sum.output',
      })
      const run = await engine.start('builtin', { a: 41 })
      await expect(engine.wait(run.runId, { timeoutMs: 5000 })).resolves.toMatchObject({
        status: 'completed',
        output: 42,
      })
    } finally {
      await engine.close()
      expect(terminate).toHaveBeenCalledTimes(1)
      terminate.mockRestore()
      await deleteDatabase('spindle')
    }
  })

  it('schedules with nothing to configure: schedule, listSchedules, a fire on events$, unschedule', async () => {
    const engine = connectEngine()
    try {
      await engine.register({
        schemaVersion: '2.0',
        id: 'nightly',
        version: '1.0.0',
        tasks: { a: { action: 'noop' } },
      })
      const fire = firstValueFrom(engine.events$.pipe(filter((e) => e.type === 'schedule.fired')))
      const startAt = Date.now() + 200
      await engine.schedule({ id: 'n', workflow: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin' })
      await engine.schedule({ id: 'soon', workflow: 'nightly', everyMs: 86_400_000, startAt })
      expect((await engine.listSchedules()).map((s) => [s.id, s.nextRuns.length])).toEqual([
        ['n', 5],
        ['soon', 5],
      ])
      await expect(fire).resolves.toMatchObject({ scheduleId: 'soon', runId: `sched:soon:${startAt}` })
      await expect(engine.wait(`sched:soon:${startAt}`, { timeoutMs: 5000 })).resolves.toMatchObject({
        status: 'completed',
      })
      await engine.unschedule('n')
      await engine.unschedule('soon')
      expect(await engine.listSchedules()).toEqual([])
    } finally {
      await engine.close()
      await deleteDatabase('spindle')
    }
  })
})
