import type { Engine, ScheduleInfo } from 'spindle'
import { el } from './element'
import { clockTime, errorText } from './format'

/**
 * Schedules and event routes: the schedules with their next fire times, a form that schedules a
 * definition every N seconds, pause and resume; the routes, a form that routes an event type to a
 * definition, and a form that emits an event by hand (the runs it starts are shown).
 */
export class TriggersPanel {
  readonly #engine: Engine
  readonly #schedules: HTMLElement
  readonly #routes: HTMLElement
  readonly #status: HTMLElement

  constructor(engine: Engine, root: HTMLElement, onStarted: (runId: string) => void) {
    this.#engine = engine
    this.#schedules = el('ul', { class: 'trigger-list', 'data-testid': 'schedule-list' })
    this.#routes = el('ul', { class: 'trigger-list', 'data-testid': 'route-list' })
    this.#status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'trigger-status' })
    const done = (what: string) => () => {
      this.#status.textContent = what
      this.refresh().catch((error: unknown) => this.#fail(error))
    }

    const scheduleWorkflow = input('schedule-workflow', 'photo-pipeline')
    const everySeconds = input('schedule-every', '60')
    const scheduleForm = el(
      'form',
      { 'aria-label': 'New schedule' },
      field('schedule-workflow', 'Definition', scheduleWorkflow),
      field('schedule-every', 'Every (seconds)', everySeconds),
      el('button', { type: 'submit', 'data-testid': 'schedule' }, 'Schedule'),
    )
    scheduleForm.addEventListener('submit', (event) => {
      event.preventDefault()
      const everyMs = Math.round(Number(everySeconds.value) * 1000)
      this.#engine.schedule({ workflow: scheduleWorkflow.value.trim(), everyMs }).then(
        (info) => done(`Scheduled ${info.id}`)(),
        (error: unknown) => this.#fail(error),
      )
    })

    const routeEvent = input('route-event', 'order.*')
    const routeWorkflow = input('route-workflow', 'order-review')
    const routeForm = el(
      'form',
      { 'aria-label': 'New route' },
      field('route-event', 'Event (exact or prefix.*)', routeEvent),
      field('route-workflow', 'Definition', routeWorkflow),
      el('button', { type: 'submit', 'data-testid': 'route' }, 'Route'),
    )
    routeForm.addEventListener('submit', (event) => {
      event.preventDefault()
      this.#engine.route({ event: routeEvent.value.trim(), workflow: routeWorkflow.value.trim() }).then(
        (info) => done(`Routed ${info.spec.event} to ${info.spec.workflow}`)(),
        (error: unknown) => this.#fail(error),
      )
    })

    const emitType = input('emit-type', 'order.paid')
    const emitData = input('emit-data', '{"total": 1250}')
    const emitForm = el(
      'form',
      { 'aria-label': 'Emit an event' },
      field('emit-type', 'Event type', emitType),
      field('emit-data', 'Data (JSON)', emitData),
      el('button', { type: 'submit', 'data-testid': 'emit' }, 'Emit'),
    )
    emitForm.addEventListener('submit', (event) => {
      event.preventDefault()
      let data: unknown
      try {
        data = emitData.value.trim() === '' ? undefined : JSON.parse(emitData.value)
      } catch {
        this.#status.textContent = 'The data is not JSON.'
        return
      }
      this.#engine.emit({ type: emitType.value.trim(), ...(data === undefined ? {} : { data }) }).then(
        (runs) => {
          this.#status.textContent = `Emitted ${emitType.value.trim()}: ${runs.length} run(s) started`
          const [first] = runs
          if (first) onStarted(first.runId)
        },
        (error: unknown) => this.#fail(error),
      )
    })

    root.replaceChildren(
      el('h3', {}, 'Schedules'),
      this.#schedules,
      scheduleForm,
      el('h3', {}, 'Event routes'),
      this.#routes,
      routeForm,
      emitForm,
      this.#status,
    )
  }

  async refresh(): Promise<void> {
    const [schedules, routes] = await Promise.all([this.#engine.listSchedules(), this.#engine.listRoutes()])
    this.#schedules.replaceChildren(
      ...(schedules.length === 0
        ? [el('li', { class: 'empty' }, 'No schedules.')]
        : schedules.map((s) => this.#schedule(s))),
    )
    this.#routes.replaceChildren(
      ...(routes.length === 0
        ? [el('li', { class: 'empty' }, 'No routes.')]
        : routes.map((route) => {
            const remove = el(
              'button',
              { type: 'button', 'aria-label': `Remove route ${route.id}` },
              'Remove',
            )
            remove.addEventListener('click', () => {
              this.#engine
                .unroute(route.id)
                .then(() => this.refresh())
                .catch((error: unknown) => this.#fail(error))
            })
            return el(
              'li',
              { 'data-testid': 'route-item' },
              `${route.spec.event} → ${route.spec.workflow} `,
              remove,
            )
          })),
    )
  }

  #schedule(info: ScheduleInfo): HTMLElement {
    const toggle = el(
      'button',
      {
        type: 'button',
        'data-testid': 'schedule-toggle',
        'aria-label': `${info.paused ? 'Resume' : 'Pause'} schedule ${info.id}`,
      },
      info.paused ? 'Resume' : 'Pause',
    )
    toggle.addEventListener('click', () => {
      this.#engine
        .updateSchedule(info.id, { paused: !info.paused })
        .then(() => this.refresh())
        .catch((error: unknown) => this.#fail(error))
    })
    const next = info.paused ? 'paused' : `next ${info.nextRuns.slice(0, 3).map(clockTime).join(', ')}`
    const fired = info.recent.filter((r) => r.outcome === 'started').length
    return el(
      'li',
      { 'data-testid': 'schedule-item', 'data-schedule-id': info.id, 'data-paused': String(info.paused) },
      el('strong', {}, info.workflow),
      ` every ${Math.round((info.spec.everyMs ?? 0) / 1000)} s · ${next} · fired ${fired} `,
      toggle,
    )
  }

  #fail(error: unknown): void {
    this.#status.textContent = errorText(error)
  }
}

function input(id: string, value: string): HTMLInputElement {
  return el('input', { id, type: 'text', value, 'data-testid': id, spellcheck: 'false' })
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  return el('div', { class: 'field' }, el('label', { for: id }, label), control)
}
