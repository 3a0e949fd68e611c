import type { Progress, RunView, TaskStatus, WorkflowDefinition, WorkflowEvent } from 'spindle'
import { el } from './element'
import { duration, errorText } from './format'

/** Why a task was skipped, as the task list says it. */
const SKIP_NOTES: Record<string, string> = {
  condition: 'its "when" was false',
  trigger: 'a dependency was skipped (its trigger rule)',
}

interface TaskRow {
  row: HTMLTableRowElement
  status: HTMLElement
  attempts: HTMLElement
  time: HTMLElement
  detail: HTMLElement
  meter: HTMLElement
  /** `forEach` items completed, over every attempt. */
  items: Set<number>
}

/**
 * The tasks of a run with their status, attempts and time spent, and what each is doing now:
 * its last progress report, its items done, its error or its back-off.
 */
export class TaskList {
  readonly element: HTMLElement
  readonly #rows = new Map<string, TaskRow>()

  constructor(view: RunView, definition: WorkflowDefinition | undefined) {
    const body = el('tbody')
    for (const [id, task] of Object.entries(view.tasks)) {
      const name = definition?.tasks[id]?.name
      const row = this.#row(id, name)
      body.append(row.row)
      this.#rows.set(id, row)
      this.#set(row, task.status, task.attempts)
      if (task.error) this.#note(row, errorText(task.error), 'error')
    }
    this.element = el(
      'section',
      { class: 'card', 'aria-labelledby': 'tasks-title' },
      el('h3', { id: 'tasks-title' }, 'Tasks'),
      el(
        'div',
        // A narrow screen scrolls the table inside its card rather than the page.
        { class: 'scroll-x', tabindex: 0, role: 'region', 'aria-labelledby': 'tasks-title' },
        el(
          'table',
          { class: 'tasks', 'data-testid': 'task-list' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'Task'),
              el('th', { scope: 'col' }, 'Status'),
              el('th', { scope: 'col', class: 'num' }, 'Attempts'),
              el('th', { scope: 'col', class: 'num' }, 'Time'),
              el('th', { scope: 'col' }, 'Now'),
            ),
          ),
          body,
        ),
      ),
    )
  }

  /** Statuses, attempts and times as `progress$` reports them. */
  update(progress: Progress): void {
    for (const task of progress.tasks) {
      const row = this.#rows.get(task.id)
      if (!row) continue
      this.#set(row, task.status, task.attempts)
      row.time.textContent = task.durationMs > 0 ? duration(task.durationMs) : ''
    }
  }

  /** What an event tells about a task beyond its status. */
  observe(event: WorkflowEvent): void {
    if (!('taskId' in event)) return
    const row = this.#rows.get(event.taskId)
    if (!row) return
    switch (event.type) {
      case 'task.started':
        this.#note(row, row.items.size > 0 ? `${row.items.size} items done before` : '', undefined, 0)
        break
      case 'task.progress':
        this.#note(row, event.note ?? '', undefined, event.fraction)
        break
      case 'task.item-completed':
        row.items.add(event.index)
        this.#note(row, `${row.items.size} items done`)
        break
      case 'task.failed':
        this.#note(row, errorText(event.error), 'error')
        break
      case 'task.timed-out':
        this.#note(row, `timed out after ${duration(event.timeoutMs)}`, 'error')
        break
      case 'task.retrying':
        this.#note(row, event.manual ? 'retried by request' : `next attempt in ${duration(event.delayMs)}`)
        break
      case 'task.completed':
        this.#note(row, row.items.size > 0 ? `${row.items.size} items` : '')
        break
      case 'task.skipped':
        this.#note(row, SKIP_NOTES[event.reason] ?? `skipped (${event.reason})`)
        break
      case 'task.waiting':
        this.#note(row, event.signal ? `waiting for "${event.signal}"` : 'waiting')
        break
    }
  }

  #row(id: string, name: string | undefined): TaskRow {
    const status = el('span', { class: 'badge' })
    const attempts = el('td', { class: 'num', 'data-testid': 'task-attempts' })
    const time = el('td', { class: 'num' })
    const meter = el('span', { class: 'task-meter-fill' })
    const detail = el('span', { class: 'task-detail' })
    const row = el(
      'tr',
      { 'data-testid': 'task-row', 'data-task-id': id },
      el(
        'th',
        { scope: 'row' },
        el('span', { class: 'task-name' }, name ?? id),
        name ? el('code', { class: 'task-id' }, id) : '',
      ),
      el('td', { 'data-testid': 'task-status' }, status),
      attempts,
      time,
      el('td', {}, el('span', { class: 'task-meter', 'aria-hidden': 'true' }, meter), detail),
    )
    return { row, status, attempts, time, detail, meter, items: new Set() }
  }

  #set(row: TaskRow, status: TaskStatus, attempts: number): void {
    row.row.dataset.status = status
    row.row.dataset.attempts = String(attempts)
    row.status.className = `badge status-${status}`
    row.status.textContent = status
    row.attempts.textContent = String(attempts)
    if (status === 'completed') row.meter.style.width = '100%'
    if (status === 'pending' || status === 'cancelled' || status === 'skipped') row.meter.style.width = '0%'
  }

  #note(row: TaskRow, text: string, tone?: 'error', fraction?: number): void {
    row.detail.textContent = text
    row.detail.classList.toggle('error', tone === 'error')
    if (fraction !== undefined) row.meter.style.width = `${Math.round(fraction * 100)}%`
  }
}
