import type { Engine, ScheduleInfo } from 'spindle'
import { el } from './element'
import { clockTime, errorText } from './format'

/**
 * Schedules and event routes: the schedules with their next fire times, a form that schedules a
 * definition every N seconds or on a cron expression, pause and resume; the routes, a form that routes an event type to a
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
    const done = (what: string) => {
      this.#status.textContent = what
      this.refresh().catch((error: unknown) => this.#fail(error))
    }

    const scheduleForm = callForm(
      'New schedule',
      [
        ['schedule-workflow', 'Definition', 'photo-pipeline'],
        ['schedule-every', 'Every (seconds)', '60'],
        ['schedule-cron', 'Or cron (5 fields, instead)', ''],
      ],
      ['schedule', 'Schedule'],
      async (values) => {
        const cron = values['schedule-cron']!
        const info = await this.#engine.schedule({
          workflow: values['schedule-workflow']!,
          ...(cron === '' ? { everyMs: Math.round(Number(values['schedule-every']) * 1000) } : { cron }),
        })
        done(`Scheduled ${info.id}`)
      },
      (error) => this.#fail(error),
    )
    const routeForm = callForm(
      'New route',
      [
        ['route-event', 'Event (exact or prefix.*)', 'order.*'],
        ['route-workflow', 'Definition', 'order-review'],
      ],
      ['route', 'Route'],
      async (values) => {
        const info = await this.#engine.route({
          event: values['route-event']!,
          workflow: values['route-workflow']!,
        })
        done(`Routed ${info.spec.event} to ${info.spec.workflow}`)
      },
      (error) => this.#fail(error),
    )
    const emitForm = callForm(
      'Emit an event',
      [
        ['emit-type', 'Event type', 'order.paid'],
        ['emit-data', 'Data (JSON)', '{"total": 1250}'],
      ],
      ['emit', 'Emit'],
      async (values) => {
        const type = values['emit-type']!
        const text = values['emit-data']!
        let data: unknown
        try {
          data = text === '' ? undefined : JSON.parse(text)
        } catch (error) {
          this.#status.textContent = `The data is not JSON: ${errorText(error)}`
          return
        }
        const runs = await this.#engine.emit({ type, ...(data === undefined ? {} : { data }) })
        this.#status.textContent = `Emitted ${type}: ${runs.length} run(s) started`
        const [first] = runs
        if (first) onStarted(first.runId)
      },
      (error) => this.#fail(error),
    )

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
    const when =
      info.spec.cron === undefined
        ? `every ${Math.round((info.spec.everyMs ?? 0) / 1000)} s`
        : `cron ${info.spec.cron}`
    const fired = info.recent.filter((r) => r.outcome === 'started').length
    return el(
      'li',
      { 'data-testid': 'schedule-item', 'data-schedule-id': info.id, 'data-paused': String(info.paused) },
      el('strong', {}, info.workflow),
      ` ${when} · ${next} · fired ${fired} `,
      toggle,
    )
  }

  #fail(error: unknown): void {
    this.#status.textContent = errorText(error)
  }
}

/**
 * A form of text fields (`[id, label, value]`, each with `data-testid` = id) and a submit
 * button (`[testid, text]`): `submit` gets the fields' trimmed values; its failure goes to `fail`.
 */
function callForm(
  label: string,
  fields: [id: string, label: string, value: string][],
  [testid, text]: [string, string],
  submit: (values: Record<string, string>) => Promise<void>,
  fail: (error: unknown) => void,
): HTMLFormElement {
  const inputs = fields.map(([id, , value]) =>
    el('input', { id, type: 'text', value, 'data-testid': id, spellcheck: 'false' }),
  )
  const form = el(
    'form',
    { 'aria-label': label },
    ...fields.map(([id, name], index) =>
      el('div', { class: 'field' }, el('label', { for: id }, name), inputs[index]!),
    ),
    el('button', { type: 'submit', 'data-testid': testid }, text),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const values = Object.fromEntries(inputs.map((input) => [input.id, input.value.trim()]))
    submit(values).catch(fail)
  })
  return form
}
