import { type DefinitionInfo, definitionSchema, type Engine } from 'spindle'
import { el } from './element'
import { errorText } from './format'
import { fieldHelp } from './schema-help'

const STARTER = `# A definition in YAML or JSON; it is checked as you type.
schemaVersion: "2.0"
id: my-flow
version: 1.0.0
name: My flow
params:
  who: { type: string, default: world }
tasks:
  hello:
    action: transform
    params: { value: "\${ 'hello ' + input.who }" }
output: tasks.hello.output
`

/**
 * A definition editor: JSON or YAML text, checked as it is typed with the engine's own
 * `validate()` (every problem at its path, with what to write instead), each problem with what
 * the definition's JSON Schema (`definitionSchema`, shipped as `spindle/schema.json`) says of
 * its field, or the fields its object takes; Register is enabled only while the text is valid.
 */
export class DefinitionEditor {
  readonly #engine: Engine
  readonly #text: HTMLTextAreaElement
  readonly #issues: HTMLElement
  readonly #register: HTMLButtonElement
  readonly #status: HTMLElement
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(engine: Engine, root: HTMLElement, onRegistered: (info: DefinitionInfo) => void) {
    this.#engine = engine
    this.#text = el('textarea', {
      id: 'definition-source',
      class: 'editor',
      rows: 16,
      spellcheck: 'false',
      'data-testid': 'editor',
      'aria-describedby': 'editor-issues',
    })
    this.#text.value = STARTER
    this.#issues = el('ul', {
      id: 'editor-issues',
      class: 'issues',
      'data-testid': 'editor-issues',
      'aria-live': 'polite',
    })
    this.#register = el('button', { type: 'button', 'data-testid': 'register' }, 'Register')
    this.#status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'register-status' })
    this.#text.addEventListener('input', () => {
      clearTimeout(this.#timer)
      this.#timer = setTimeout(() => this.check(), 250)
    })
    this.#register.addEventListener('click', () => {
      this.#register.disabled = true
      this.#engine.register(this.#text.value).then(
        (info) => {
          this.#status.textContent = `Registered ${info.id}@${info.version}`
          onRegistered(info)
          this.check()
        },
        (error: unknown) => {
          this.#status.textContent = errorText(error)
          this.check()
        },
      )
    })
    root.replaceChildren(
      el('label', { for: 'definition-source' }, 'Definition (YAML or JSON)'),
      this.#text,
      this.#issues,
      this.#register,
      this.#status,
    )
    this.check()
  }

  /** Checks the text now and shows its problems. */
  check(): void {
    const result = this.#engine.validate(this.#text.value)
    this.#register.disabled = !result.ok
    this.#issues.replaceChildren(
      ...result.issues.map((issue) =>
        el(
          'li',
          { 'data-testid': 'editor-issue', 'data-path': issue.path, 'data-code': issue.code },
          el('code', {}, issue.path || '(definition)'),
          ` ${issue.message}`,
          ...help(issue.path),
        ),
      ),
    )
    this.#issues.dataset.ok = String(result.ok)
  }
}

/** The schema's word on an issue's field, as a line under the issue. */
function help(path: string): HTMLElement[] {
  const { description, fields } = fieldHelp(definitionSchema, path)
  const text = description ?? (fields ? `Fields here: ${fields.join(', ')}.` : undefined)
  return text === undefined ? [] : [el('small', { class: 'field-help', 'data-testid': 'field-help' }, text)]
}
