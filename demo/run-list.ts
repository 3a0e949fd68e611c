import type { Engine, RunInfo } from 'spindle'
import { el } from './element'
import { clockTime } from './format'

/** Runs listed at most; older ones stay in the database. */
const LIMIT = 25

/** The latest runs of the database, newest first, one button each to show it in the run panel. */
export class RunList {
  readonly #engine: Engine
  readonly #list: HTMLElement
  readonly #select: (runId: string) => void
  readonly #names: ReadonlyMap<string, string>
  #selected: string | undefined

  /** `names`: display names by definition id. */
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
  }

  /** Marks `runId` as the one shown. */
  select(runId: string): void {
    this.#selected = runId
    for (const button of this.#list.querySelectorAll<HTMLElement>('[data-run-id]')) {
      button.setAttribute('aria-pressed', String(button.dataset.runId === runId))
    }
  }

  async refresh(): Promise<RunInfo[]> {
    const { runs } = await this.#engine.listRuns({ limit: LIMIT })
    this.#list.replaceChildren(...runs.map((run) => el('li', {}, this.#button(run))))
    if (runs.length === 0) this.#list.append(el('li', { class: 'empty' }, 'No runs yet.'))
    return runs
  }

  #button(run: RunInfo): HTMLButtonElement {
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
      el('span', { class: 'run-item-time' }, `${clockTime(run.createdAt)} · ${run.runId.slice(0, 8)}`),
    )
    button.addEventListener('click', () => this.#select(run.runId))
    return button
  }
}
