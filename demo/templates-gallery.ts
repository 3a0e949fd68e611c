import type { DefinitionInfo, Engine, TemplateInfo } from 'spindle'
import { el } from './element'
import { paramForm, submitWith } from './param-form'

/**
 * The built-in templates: a card per template; choosing one shows a form for its params, and
 * Instantiate registers its definition (`onInstantiated` shows it). A refused call shows its
 * typed error, and each param's problem next to its field.
 */
export class TemplatesGallery {
  readonly #engine: Engine
  readonly #list: HTMLElement
  readonly #detail: HTMLElement
  readonly #onInstantiated: (info: DefinitionInfo) => void

  constructor(engine: Engine, root: HTMLElement, onInstantiated: (info: DefinitionInfo) => void) {
    this.#engine = engine
    this.#onInstantiated = onInstantiated
    this.#list = el('ul', { class: 'template-list', 'data-testid': 'template-list' })
    this.#detail = el('div', { class: 'template-detail', 'data-testid': 'template-detail' })
    root.replaceChildren(this.#list, this.#detail)
  }

  async load(): Promise<void> {
    const templates = await this.#engine.listTemplates()
    this.#list.replaceChildren(
      ...templates.map((template) => {
        const button = el(
          'button',
          {
            type: 'button',
            class: 'template-item',
            'data-testid': `template-${template.id}`,
            'aria-pressed': false,
          },
          el('span', { class: 'definition-name' }, template.name),
          el('span', { class: 'muted' }, ` ${template.tags.join(' · ')}`),
        )
        button.addEventListener('click', () => {
          for (const other of this.#list.querySelectorAll('button'))
            other.setAttribute('aria-pressed', String(other === button))
          this.#show(template)
        })
        return el('li', {}, button)
      }),
    )
  }

  #show(template: TemplateInfo): void {
    const form = paramForm(`template-${template.id}`, template.params)
    const idField = el('input', {
      id: 'instantiate-id',
      type: 'text',
      placeholder: template.id,
      'data-testid': 'instantiate-id',
      spellcheck: 'false',
    })
    const status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'instantiate-status' })
    const submit = el('button', { type: 'submit', 'data-testid': 'instantiate' }, 'Instantiate')
    const formElement = el(
      'form',
      { 'aria-label': `Params of ${template.name}` },
      form.element,
      el(
        'div',
        { class: 'field' },
        el('label', { for: 'instantiate-id' }, 'Definition id (optional)'),
        idField,
      ),
      submit,
      status,
    )
    formElement.addEventListener('submit', (event) => {
      event.preventDefault()
      const id = idField.value.trim()
      submitWith(form, status, async (params) => {
        const info = await this.#engine.instantiate(template.id, params, id === '' ? undefined : { id })
        this.#onInstantiated(info)
        return `Registered ${info.id}@${info.version}`
      })
    })
    this.#detail.replaceChildren(
      el('h3', {}, template.name),
      el('p', {}, template.description),
      el(
        'p',
        { class: 'muted' },
        template.actions.length === 0 ? 'Built-in actions only.' : `Actions: ${template.actions.join(', ')}`,
      ),
      formElement,
    )
  }
}
