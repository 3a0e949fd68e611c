import type { ParamSpec, ValidationIssue } from 'spindle'
import { el } from './element'
import { errorText } from './format'

/** A form for named params: one labelled field per spec, filled with its default. */
export interface ParamForm {
  readonly element: HTMLElement
  /** The values as typed data, or the problems of the fields that cannot be read, by name. */
  read(): { ok: true; value: Record<string, unknown> } | { ok: false; problems: Record<string, string> }
  /** Shows each field's problem (from a refused call's issues, by param name); clears the others. */
  showProblems(problems: Record<string, string>): void
}

/** A field's text as its type's value; objects, arrays and `any` are JSON. */
function parse(spec: ParamSpec, text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (text.trim() === '') return { ok: true, value: undefined }
  switch (spec.type) {
    case 'string':
      return { ok: true, value: text }
    case 'number':
    case 'integer': {
      const value = Number(text)
      return Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, problem: `"${text}" is not a number` }
    }
    default:
      try {
        return { ok: true, value: JSON.parse(text) }
      } catch {
        return { ok: false, problem: 'write JSON, e.g. ["a", "b"] or {"k": 1}' }
      }
  }
}

function asText(spec: ParamSpec, value: unknown): string {
  if (value === undefined) return ''
  return spec.type === 'string' && typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * Builds the form of `specs`; `prefix` makes the field ids and test ids unique on the page.
 *
 * @example
 * const form = paramForm('template', { level1_approver: { type: 'string', required: true } })
 * form.read() // { ok: true, value: { level1_approver: 'alice' } } once typed
 */
export function paramForm(prefix: string, specs: Record<string, ParamSpec>): ParamForm {
  const element = el('div', { class: 'param-form' })
  const fields = new Map<string, { spec: ParamSpec; read: () => string; problem: HTMLElement }>()
  const names = Object.keys(specs)
  if (names.length === 0) element.append(el('p', { class: 'empty' }, 'No params.'))
  for (const name of names) {
    const spec = specs[name]!
    const id = `${prefix}-${name}`
    const problem = el('span', { class: 'field-problem', id: `${id}-problem`, role: 'status' })
    const described = spec.description ? `${id}-about` : undefined
    let control: HTMLInputElement | HTMLSelectElement
    if (spec.enum) {
      control = el('select', { id, name, 'data-testid': `param-${name}` })
      for (const option of spec.enum)
        control.append(el('option', { value: JSON.stringify(option) }, String(option)))
      if (spec.default !== undefined) control.value = JSON.stringify(spec.default)
    } else if (spec.type === 'boolean') {
      control = el('input', { id, name, type: 'checkbox', 'data-testid': `param-${name}` })
      control.checked = spec.default === true
    } else {
      control = el('input', {
        id,
        name,
        type: 'text',
        'data-testid': `param-${name}`,
        value: asText(spec, spec.default),
        'aria-required': spec.required === true,
        spellcheck: 'false',
      })
    }
    control.setAttribute('aria-describedby', [described, `${id}-problem`].filter(Boolean).join(' '))
    const read = () =>
      control instanceof HTMLSelectElement
        ? control.value
        : control.type === 'checkbox'
          ? String(control.checked)
          : control.value
    fields.set(name, { spec, read, problem })
    element.append(
      el(
        'div',
        { class: 'field' },
        el(
          'label',
          { for: id },
          name,
          spec.required ? el('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : '',
          ` (${spec.type})`,
        ),
        control,
        ...(described ? [el('small', { id: described }, spec.description!)] : []),
        problem,
      ),
    )
  }
  return {
    element,
    read() {
      const value: Record<string, unknown> = {}
      const problems: Record<string, string> = {}
      for (const [name, { spec, read }] of fields) {
        const text = read()
        const parsed = spec.enum
          ? { ok: true as const, value: JSON.parse(text) }
          : spec.type === 'boolean'
            ? { ok: true as const, value: text === 'true' }
            : parse(spec, text)
        if (!parsed.ok) problems[name] = parsed.problem
        else if (parsed.value !== undefined) value[name] = parsed.value
      }
      return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, value }
    },
    showProblems(problems) {
      for (const [name, { problem }] of fields) problem.textContent = problems[name] ?? ''
    },
  }
}

/** A refused call's issues by their first path segment (a param name), for a param form. */
export function problemsByParam(error: unknown): Record<string, string> {
  const issues = (error as { issues?: ValidationIssue[] }).issues ?? []
  return Object.fromEntries(issues.map((issue) => [issue.path.split(/[.[]/)[0] ?? '', issue.message]))
}

/**
 * Sends a param form's values through `call`: a field that cannot be read shows its problem and
 * nothing is called; otherwise the problems clear, and `status` says what `call` resolved to, or
 * the refused call's typed error, with each param's problem beside its field.
 */
export function submitWith(
  form: ParamForm,
  status: HTMLElement,
  call: (values: Record<string, unknown>) => Promise<string>,
): void {
  const values = form.read()
  if (!values.ok) {
    form.showProblems(values.problems)
    return
  }
  form.showProblems({})
  call(values.value).then(
    (said) => {
      status.textContent = said
    },
    (error: unknown) => {
      form.showProblems(problemsByParam(error))
      status.textContent = errorText(error)
    },
  )
}
