import type { Engine, WorkflowEvent } from 'spindle'
import { el } from './element'
import { clockTime, describeEvent, errorText } from './format'

/** Events that report progress rather than change: hidden unless asked for. */
const NOISE = new Set(['task.progress', 'task.log'])

/** Lines kept on screen; older ones stay in `engine.history()`. */
const MAX_LINES = 500

/**
 * A run's events, newest first: its journal (`engine.history`) followed by live events. Each
 * event shows once, however often it arrives (history and the live stream overlap). Progress
 * and log events are hidden unless "Progress" is ticked; the shown events copy as JSON, and the
 * run's whole history downloads as NDJSON (one event per line).
 */
export class EventLog {
  readonly element: HTMLElement
  readonly #list: HTMLOListElement
  #lastSeq = 0

  readonly #events: WorkflowEvent[] = []

  constructor(engine: Engine, runId: string) {
    this.#list = el('ol', { class: 'event-log hide-noise', 'data-testid': 'event-log', 'aria-live': 'off' })
    const noise = el('input', { type: 'checkbox', id: 'event-log-noise', 'data-testid': 'show-progress' })
    noise.addEventListener('change', () => this.#list.classList.toggle('hide-noise', !noise.checked))
    const status = el('span', { class: 'call-status', role: 'status', 'data-testid': 'log-status' })
    const copy = el('button', { type: 'button', 'data-testid': 'copy-json' }, 'Copy as JSON')
    copy.addEventListener('click', () => {
      const shown = this.#events.filter((event) => noise.checked || !NOISE.has(event.type))
      navigator.clipboard.writeText(JSON.stringify(shown, null, 2)).then(
        () => {
          status.textContent = `Copied ${shown.length} events`
        },
        (error: unknown) => {
          status.textContent = errorText(error)
        },
      )
    })
    const exported = el('button', { type: 'button', 'data-testid': 'export-ndjson' }, 'Export NDJSON')
    exported.addEventListener('click', () => {
      engine.history(runId).then(
        (history) => {
          const text = history.map((event) => JSON.stringify(event)).join('\n')
          const link = el('a', {
            href: URL.createObjectURL(new Blob([`${text}\n`], { type: 'application/x-ndjson' })),
            download: `run-${runId}.ndjson`,
          })
          link.click()
          setTimeout(() => URL.revokeObjectURL(link.href), 60_000)
          status.textContent = `Exported ${history.length} events`
        },
        (error: unknown) => {
          status.textContent = errorText(error)
        },
      )
    })
    this.element = el(
      'section',
      { class: 'card log-card', 'aria-labelledby': 'event-log-title' },
      el('h3', { id: 'event-log-title' }, 'Event log'),
      el(
        'div',
        { class: 'log-tools' },
        el('label', { for: 'event-log-noise' }, noise, ' Progress'),
        copy,
        exported,
        status,
      ),
      this.#list,
    )
  }

  /** Shows `event` unless an event at or after its position was shown; says whether it did. */
  add(event: WorkflowEvent & { rolledBack?: boolean }): boolean {
    if (event.seq <= this.#lastSeq) return false
    this.#lastSeq = event.seq
    this.#events.push(event)
    if (this.#events.length > MAX_LINES) this.#events.shift()
    const taskId = 'taskId' in event ? event.taskId : undefined
    const line = el(
      'li',
      {
        'data-testid': 'event',
        'data-type': event.type,
        'data-seq': event.seq,
        'data-task-id': taskId,
        class: `event event-${event.type.split('.')[0]}${event.rolledBack ? ' rolled-back' : ''}`,
      },
      el('span', { class: 'event-seq' }, `#${event.seq}`),
      el('time', { class: 'event-time', datetime: new Date(event.at).toISOString() }, clockTime(event.at)),
      el('span', { class: 'event-type' }, event.type),
      el('span', { class: 'event-task' }, taskId ?? ''),
      el(
        'span',
        { class: 'event-detail' },
        describeEvent(event) + (event.rolledBack ? ' (rolled back)' : ''),
      ),
    )
    this.#list.prepend(line)
    if (this.#list.childElementCount > MAX_LINES) this.#list.lastElementChild?.remove()
    return true
  }
}
