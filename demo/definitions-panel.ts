import type { DefinitionInfo, Engine } from 'spindle'
import { el } from './element'
import { errorText } from './format'
import { type ParamForm, paramForm, submitWith } from './param-form'

/**
 * The registered definitions: a list; the chosen one's JSON, and a form for its run input that
 * starts a run with it (`onStarted` shows the run).
 */
export class DefinitionsPanel {
  readonly #engine: Engine
  readonly #list: HTMLElement
  readonly #detail: HTMLElement
  readonly #onStarted: (runId: string) => void
  #shown: string | undefined

  constructor(engine: Engine, root: HTMLElement, onStarted: (runId: string) => void) {
    this.#engine = engine
    this.#onStarted = onStarted
    this.#list = el('ul', { class: 'definition-list', 'data-testid': 'definition-list' })
    this.#detail = el('div', { class: 'definition-detail', 'data-testid': 'definition-detail' })
    root.replaceChildren(this.#list, this.#detail)
  }

  /** Reads the definitions again; keeps the one shown. */
  async refresh(): Promise<DefinitionInfo[]> {
    const definitions = await this.#engine.listDefinitions()
    this.#list.replaceChildren(
      ...definitions.map((info) => {
        const button = el(
          'button',
          {
            type: 'button',
            class: 'definition-item',
            'data-testid': `definition-${info.id}`,
            'aria-pressed': info.id === this.#shown,
          },
          el('span', { class: 'definition-name' }, info.name ?? info.id),
          el(
            'span',
            { class: 'muted' },
            ` ${info.id}@${info.version}${info.migratedFrom ? ` · from ${info.migratedFrom}` : ''}`,
          ),
        )
        button.addEventListener('click', () => {
          this.show(info.id).catch((error: unknown) => this.#fail(error))
        })
        return el('li', {}, button)
      }),
    )
    return definitions
  }

  /** Shows definition `id`: its JSON and a form that starts a run of it. */
  async show(id: string): Promise<void> {
    const definition = await this.#engine.getDefinition(id)
    if (!definition) throw new Error(`No definition "${id}".`)
    this.#shown = id
    for (const button of this.#list.querySelectorAll('button'))
      button.setAttribute('aria-pressed', String(button.dataset.testid === `definition-${id}`))
    const form: ParamForm = paramForm(`start-${id}`, definition.params ?? {})
    const status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'start-status' })
    const start = el(
      'button',
      { type: 'submit', 'data-testid': 'start-definition' },
      `Start ${definition.name ?? id}`,
    )
    const startForm = el(
      'form',
      { class: 'start-form', 'aria-label': `Run input of ${id}` },
      form.element,
      start,
      status,
    )
    startForm.addEventListener('submit', (event) => {
      event.preventDefault()
      submitWith(form, status, async (input) => {
        const run = await this.#engine.start(id, input)
        this.#onStarted(run.runId)
        return `Started ${run.runId}`
      })
    })
    this.#detail.replaceChildren(
      el(
        'h3',
        {},
        `${definition.name ?? id} `,
        el('span', { class: 'muted' }, `${id}@${definition.version}`),
      ),
      startForm,
      el(
        'details',
        {},
        el('summary', {}, 'Definition (JSON)'),
        el('pre', { 'data-testid': 'definition-json', tabindex: 0 }, JSON.stringify(definition, null, 2)),
      ),
    )
  }

  #fail(error: unknown): void {
    this.#detail.replaceChildren(el('p', { class: 'call-status', role: 'alert' }, errorText(error)))
  }
}
