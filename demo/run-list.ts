import type { Engine, RunFilter, RunInfo, RunStatus } from 'spindle'
import { el } from './element'
import { clockTime, duration } from './format'

/** Runs per page; older ones are a click on "Older" away. */
const LIMIT = 10
const STATUSES: RunStatus[] = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']

/**
 * The runs of the database, newest first, one button each to show it in the run panel: filtered
 * by status and definition, a page at a time (`listRuns` cursors), or found by run id. Runs of
 * other tabs appear as their events arrive (the event mirror).
 */
export class RunList {
  readonly #engine: Engine
  readonly #list: HTMLElement
  readonly #select: (runId: string) => void
  readonly #names: ReadonlyMap<string, string>
  readonly #status: HTMLSelectElement
  readonly #definition: HTMLSelectElement
  readonly #search: HTMLInputElement
  readonly #older: HTMLButtonElement
  readonly #newer: HTMLButtonElement
  /** The cursors of the pages before this one; the last is this page's. */
  readonly #pages: (string | undefined)[] = [undefined]
  #next: string | undefined
  #selected: string | undefined

  /** `names`: display names by definition id. `list`: the list element; its controls go before it. */
  constructor(
    engine: Engine,
    list: HTMLElement,
    names: ReadonlyMap<string, string>,
    select: (runId: string) => void,
  ) {
    this.#engine = engine
    this.#list = list
    this.#names = names
    this.#select = select
    this.#status = el(
      'select',
      { id: 'runs-status', 'data-testid': 'runs-status' },
      el('option', { value: '' }, 'any status'),
    )
    for (const status of STATUSES) this.#status.append(el('option', { value: status }, status))
    this.#definition = el(
      'select',
      { id: 'runs-definition', 'data-testid': 'runs-definition' },
      el('option', { value: '' }, 'any definition'),
    )
    this.#search = el('input', {
      id: 'runs-search',
      type: 'search',
      placeholder: 'run id',
      'data-testid': 'runs-search',
      spellcheck: 'false',
    })
    this.#newer = el('button', { type: 'button', 'data-testid': 'runs-newer' }, 'Newer')
    this.#older = el('button', { type: 'button', 'data-testid': 'runs-older' }, 'Older')
    const restart = () => {
      this.#pages.splice(0, this.#pages.length, undefined)
      this.refresh().catch((error: unknown) => this.#problem(error))
    }
    this.#status.addEventListener('change', restart)
    this.#definition.addEventListener('change', restart)
    this.#search.addEventListener('change', restart)
    this.#older.addEventListener('click', () => {
      this.#pages.push(this.#next)
      this.refresh().catch((error: unknown) => this.#problem(error))
    })
    this.#newer.addEventListener('click', () => {
      this.#pages.pop()
      this.refresh().catch((error: unknown) => this.#problem(error))
    })
    list.before(
      el(
        'div',
        { class: 'run-filters' },
        el('label', { for: 'runs-status', class: 'visually-hidden' }, 'Status'),
        this.#status,
        el('label', { for: 'runs-definition', class: 'visually-hidden' }, 'Definition'),
        this.#definition,
        el('label', { for: 'runs-search', class: 'visually-hidden' }, 'Find a run by id'),
        this.#search,
      ),
    )
    list.after(el('div', { class: 'run-pages' }, this.#newer, this.#older))
  }

  /** Marks `runId` as the one shown. */
  select(runId: string): void {
    this.#selected = runId
    for (const button of this.#list.querySelectorAll<HTMLElement>('[data-run-id]')) {
      button.setAttribute('aria-pressed', String(button.dataset.runId === runId))
    }
  }

  /** The definition filter's choices. */
  definitions(ids: readonly string[]): void {
    const chosen = this.#definition.value
    this.#definition.replaceChildren(
      el('option', { value: '' }, 'any definition'),
      ...ids.map((id) => el('option', { value: id }, this.#names.get(id) ?? id)),
    )
    this.#definition.value = ids.includes(chosen) ? chosen : ''
  }

  /** Reads the current page again (or the run searched for). */
  async refresh(): Promise<RunInfo[]> {
    const wanted = this.#search.value.trim()
    let runs: RunInfo[]
    if (wanted !== '') {
      const run = await this.#engine.getRun(wanted)
      runs = run ? [run] : []
      this.#next = undefined
    } else {
      const filter: RunFilter = { limit: LIMIT }
      if (this.#status.value !== '') filter.status = this.#status.value as RunStatus
      if (this.#definition.value !== '') filter.definitionId = this.#definition.value
      const cursor = this.#pages.at(-1)
      if (cursor !== undefined) filter.cursor = cursor
      const page = await this.#engine.listRuns(filter)
      runs = page.runs
      this.#next = page.next
    }
    this.#list.replaceChildren(...runs.map((run) => el('li', {}, this.#button(run))))
    if (runs.length === 0)
      this.#list.append(el('li', { class: 'empty' }, wanted === '' ? 'No runs.' : `No run "${wanted}".`))
    this.#older.disabled = this.#next === undefined
    this.#newer.disabled = this.#pages.length <= 1
    return runs
  }

  #problem(error: unknown): void {
    this.#list.replaceChildren(
      el('li', { class: 'empty', role: 'alert' }, String((error as Error).message ?? error)),
    )
  }

  #button(run: RunInfo): HTMLButtonElement {
    const ended =
      run.endedAt ?? (run.status === 'running' || run.status === 'paused' ? undefined : run.updatedAt)
    const took = ended === undefined ? '' : ` · ${duration(ended - (run.startedAt ?? run.createdAt))}`
    const button = el(
      'button',
      {
        type: 'button',
        class: 'run-item',
        'data-testid': 'run-item',
        'data-run-id': run.runId,
        'data-status': run.status,
        'aria-pressed': String(run.runId === this.#selected),
      },
      el('span', { class: 'run-item-name' }, this.#names.get(run.definitionId) ?? run.definitionId),
      el('span', { class: `badge status-${run.status}` }, run.status),
      el('span', { class: 'run-item-time' }, `${clockTime(run.createdAt)}${took} · ${run.runId.slice(0, 8)}`),
    )
    button.addEventListener('click', () => this.#select(run.runId))
    return button
  }
}
