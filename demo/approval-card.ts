import type { ApprovalItem, Engine, ParamSpec } from 'spindle'
import { el } from './element'
import { paramForm, submitWith } from './param-form'

/** The param specs of an approval form's JSON Schema (its top-level properties). */
function specsOf(form: object | undefined): Record<string, ParamSpec> {
  const schema = form as
    | { properties?: Record<string, Record<string, unknown>>; required?: string[] }
    | undefined
  const specs: Record<string, ParamSpec> = {}
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const type = typeof property.type === 'string' ? property.type : 'any'
    specs[name] = {
      type: (['string', 'number', 'integer', 'boolean', 'object', 'array'].includes(type)
        ? type
        : 'any') as ParamSpec['type'],
      ...(schema?.required?.includes(name) ? { required: true } : {}),
      ...(typeof property.description === 'string' ? { description: property.description } : {}),
      ...(Array.isArray(property.enum) ? { enum: property.enum } : {}),
    }
  }
  return specs
}

/**
 * One open approval: its title, run, level and approvers, a form rendered from its JSON Schema,
 * a comment, and Approve / Reject as `principal()`. A refused decision shows its typed error.
 * `prefix` keeps the ids of its fields unique on the page (the inbox and the task inspector).
 */
export function approvalCard(
  engine: Engine,
  item: ApprovalItem,
  principal: () => string,
  prefix: string,
): HTMLElement {
  const key = `${prefix}-${item.approvalId.replace(/[^A-Za-z0-9_-]/g, '_')}`
  const form = paramForm(`approval-${key}`, specsOf(item.form))
  const comment = el('input', { id: `comment-${key}`, type: 'text', 'data-testid': 'approval-comment' })
  const status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'approval-status' })
  const task = item.index === undefined ? item.taskId : `${item.taskId}[${item.index}]`
  const decide = (decision: 'approve' | 'reject') =>
    submitWith(form, status, async (values) => {
      const by = principal()
      if (decision === 'approve')
        await engine.approve(item.runId, task, { by, comment: comment.value, form: values })
      else await engine.reject(item.runId, task, { by, comment: comment.value })
      return `${decision === 'approve' ? 'Approved' : 'Rejected'} as ${by}`
    })
  const approve = el('button', { type: 'button', 'data-testid': 'approve' }, 'Approve')
  const reject = el('button', { type: 'button', 'data-testid': 'reject' }, 'Reject')
  approve.addEventListener('click', () => decide('approve'))
  reject.addEventListener('click', () => decide('reject'))
  const who = [...item.approvers, ...item.groups.map((group) => `group ${group}`)].join(', ')
  return el(
    'li',
    { class: 'inbox-item', 'data-testid': 'approval', 'data-run-id': item.runId, 'data-task-id': task },
    el('h3', {}, item.title),
    el(
      'p',
      { class: 'muted' },
      `run ${item.runId.slice(0, 8)} · ${task} · level ${item.level + 1} · ${who}${item.dueAt ? ` · due ${new Date(item.dueAt).toLocaleString()}` : ''}`,
    ),
    form.element,
    el('div', { class: 'field' }, el('label', { for: `comment-${key}` }, 'Comment'), comment),
    el('div', { class: 'buttons' }, approve, reject),
    status,
  )
}
