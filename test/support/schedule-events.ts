import type { Engine, EngineEvent, ScheduleEvent } from 'spindle'

/** The `schedule.fired` / `schedule.missed` events `engine.events$` brings from now on, as they come. */
export function scheduleEvents(engine: Engine): ScheduleEvent[] {
  const seen: ScheduleEvent[] = []
  engine.events$.subscribe((event: EngineEvent) => {
    if (event.type === 'schedule.fired' || event.type === 'schedule.missed') seen.push(event)
  })
  return seen
}
