import type { WorkflowEvent } from 'spindle'
import { el } from './element'
import { clockTime, describeEvent } from './format'

/** Lines kept on screen; older ones stay in `engine.history()`. */
const MAX_LINES = 500

/**
 * A run's events, newest first: its journal (`engine.history`) followed by live events. Each
 * event shows once, however often it arrives (history and the live stream overlap).
 */
export class EventLog {
  readonly element: HTMLElement
  readonly #list: HTMLOListElement
  #lastSeq = 0

  constructor() {
    this.#list = el('ol', { class: 'event-log', 'data-testid': 'event-log', 'aria-live': 'off' })
    this.element = el(
      'section',
      { class: 'card log-card', 'aria-labelledby': 'event-log-title' },
      el('h3', { id: 'event-log-title' }, 'Event log'),
      this.#list,
    )
  }

  /** Shows `event` unless an event at or after its position was shown; says whether it did. */
  add(event: WorkflowEvent & { rolledBack?: boolean }): boolean {
    if (event.seq <= this.#lastSeq) return false
    this.#lastSeq = event.seq
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
