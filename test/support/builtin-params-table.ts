/**
 * Literal params of built-in actions that the action refuses when it runs (`INPUT_INVALID`) and
 * that `validate()`/`register()` therefore refuse too, each with the issue it gives (task `t`).
 * Shared by the register-time tests and the test that runs the actions on the same params, so
 * the two layers' rules cannot drift apart.
 */
export interface BadParamsRow {
  action: string
  params: Record<string, unknown> | undefined
  path: string
  code: string
  /** A piece of the message (what to write instead, or the name it likely means). */
  says: string
  /** Refused for the keys written, whatever values they resolve to (so also when computed). */
  byKeys?: true
}

const level = { approvers: ['ann'] }

export const BAD_BUILTIN_PARAMS: readonly BadParamsRow[] = [
  {
    action: 'transform',
    params: undefined,
    path: 'tasks.t.params.value',
    code: 'param_required',
    says: 'params.value',
  },
  {
    action: 'transform',
    params: { valeu: 1 },
    path: 'tasks.t.params.value',
    code: 'param_required',
    says: 'rename "valeu" to "value"',
  },
  { action: 'delay', params: {}, path: 'tasks.t.params.ms', code: 'param_required', says: 'params.until' },
  {
    action: 'delay',
    params: { MS: 5 },
    path: 'tasks.t.params.ms',
    code: 'param_required',
    says: 'rename "MS" to "ms"',
  },
  { action: 'delay', params: { ms: -5 }, path: 'tasks.t.params.ms', code: 'param_invalid', says: '≥ 0' },
  { action: 'delay', params: { ms: '5s' }, path: 'tasks.t.params.ms', code: 'param_invalid', says: '"5s"' },
  {
    action: 'delay',
    params: { ms: 5, until: 6 },
    path: 'tasks.t.params.until',
    code: 'param_invalid',
    says: 'not both',
    byKeys: true,
  },
  {
    action: 'delay',
    params: { until: 'tomorrow' },
    path: 'tasks.t.params.until',
    code: 'param_invalid',
    says: 'ISO date',
  },
  {
    action: 'delay',
    params: { until: true },
    path: 'tasks.t.params.until',
    code: 'param_invalid',
    says: 'true',
  },
  {
    action: 'wait-for-event',
    params: {},
    path: 'tasks.t.params.event',
    code: 'param_required',
    says: 'signal',
  },
  {
    action: 'wait-for-event',
    params: { evnt: 'go' },
    path: 'tasks.t.params.event',
    code: 'param_required',
    says: 'rename "evnt" to "event"',
  },
  {
    action: 'wait-for-event',
    params: { event: '' },
    path: 'tasks.t.params.event',
    code: 'param_invalid',
    says: '""',
  },
  {
    action: 'wait-for-event',
    params: { event: 'go', timeoutMs: 0 },
    path: 'tasks.t.params.timeoutMs',
    code: 'param_invalid',
    says: '> 0',
  },
  {
    action: 'wait-for-event',
    params: { event: 'go', timeoutMs: '1h' },
    path: 'tasks.t.params.timeoutMs',
    code: 'param_invalid',
    says: '"1h"',
  },
  {
    action: 'subworkflow',
    params: {},
    path: 'tasks.t.params.workflow',
    code: 'param_required',
    says: 'workflow id',
  },
  {
    action: 'subworkflow',
    params: { workflow: 7 },
    path: 'tasks.t.params.workflow',
    code: 'param_invalid',
    says: '7',
  },
  {
    action: 'subworkflow',
    params: { workflow: 'c', version: '' },
    path: 'tasks.t.params.version',
    code: 'param_invalid',
    says: 'leave it out',
  },
  {
    action: 'subworkflow',
    params: { workflow: 'c', input: [1] },
    path: 'tasks.t.params.input',
    code: 'param_invalid',
    says: 'an object',
  },
  {
    action: 'subworkflow',
    params: { workflow: 'c', wait: 'yes' },
    path: 'tasks.t.params.wait',
    code: 'param_invalid',
    says: 'true',
  },
  {
    action: 'subworkflow',
    params: { workflow: 'c', onParentCancel: 'abandn' },
    path: 'tasks.t.params.onParentCancel',
    code: 'param_invalid',
    says: 'did you mean "abandon"',
  },
  {
    action: 'approval',
    params: { levels: [level] },
    path: 'tasks.t.params.title',
    code: 'param_required',
    says: 'what the approvers are asked',
  },
  {
    action: 'approval',
    params: { title: ' ', levels: [level] },
    path: 'tasks.t.params.title',
    code: 'param_invalid',
    says: 'non-empty',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], titel: 'x' },
    path: 'tasks.t.params.titel',
    code: 'unknown_param',
    says: 'did you mean "title"',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], approvers: ['b'] },
    path: 'tasks.t.params.approvers',
    code: 'unknown_param',
    says: 'inside a level',
  },
  {
    action: 'approval',
    params: { title: 't', description: 5, levels: [level] },
    path: 'tasks.t.params.description',
    code: 'param_invalid',
    says: 'a string',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], selfApproval: 'yes' },
    path: 'tasks.t.params.selfApproval',
    code: 'param_invalid',
    says: 'true or false',
  },
  {
    action: 'approval',
    params: { title: 't' },
    path: 'tasks.t.params.levels',
    code: 'param_required',
    says: 'levels',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [] },
    path: 'tasks.t.params.levels',
    code: 'param_invalid',
    says: 'non-empty array',
  },
  {
    action: 'approval',
    params: { title: 't', levels: ['ann'] },
    path: 'tasks.t.params.levels[0]',
    code: 'param_invalid',
    says: 'an object',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: ['ann'], quroum: 1 }] },
    path: 'tasks.t.params.levels[0].quroum',
    code: 'unknown_param',
    says: 'did you mean "quorum"',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: [] }] },
    path: 'tasks.t.params.levels[0]',
    code: 'param_invalid',
    says: 'approvers or groups',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: [''] }] },
    path: 'tasks.t.params.levels[0].approvers',
    code: 'param_invalid',
    says: 'non-empty names',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ groups: 'g' }] },
    path: 'tasks.t.params.levels[0].groups',
    code: 'param_invalid',
    says: 'non-empty names',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ groups: ['g'], quorum: 0 }] },
    path: 'tasks.t.params.levels[0].quorum',
    code: 'param_invalid',
    says: "'all'",
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: ['a', 'a'], quorum: 2 }] },
    path: 'tasks.t.params.levels[0].quorum',
    code: 'param_invalid',
    says: '1 approver',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ groups: ['g'], quorum: 'all' }] },
    path: 'tasks.t.params.levels[0].quorum',
    code: 'param_invalid',
    says: 'list them in approvers',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: ['a'], timeoutMs: -1 }] },
    path: 'tasks.t.params.levels[0].timeoutMs',
    code: 'param_invalid',
    says: '> 0',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: ['a'], onTimeout: 'rejct' }] },
    path: 'tasks.t.params.levels[0].onTimeout',
    code: 'param_invalid',
    says: 'did you mean "reject"',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [{ approvers: ['a'], onTimeout: 'escalate' }] },
    path: 'tasks.t.params.levels[0].onTimeout',
    code: 'param_invalid',
    says: 'last level',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: 'amount' },
    path: 'tasks.t.params.form',
    code: 'param_invalid',
    says: 'JSON Schema object',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { type: 'object', oneOf: [] } },
    path: 'tasks.t.params.form.oneOf',
    code: 'unsupported_keyword',
    says: 'minLength',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { type: 'date' } },
    path: 'tasks.t.params.form.type',
    code: 'param_invalid',
    says: 'integer',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { properties: { n: { type: 'number', minimum: '0' } } } },
    path: 'tasks.t.params.form.properties.n.minimum',
    code: 'param_invalid',
    says: 'a number',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { properties: { s: { maxLenght: 3 } } } },
    path: 'tasks.t.params.form.properties.s.maxLenght',
    code: 'unsupported_keyword',
    says: 'did you mean "maxLength"',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { maxLength: 1.5 } },
    path: 'tasks.t.params.form.maxLength',
    code: 'param_invalid',
    says: 'whole number',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { enum: [] } },
    path: 'tasks.t.params.form.enum',
    code: 'param_invalid',
    says: 'non-empty array',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { pattern: '(' } },
    path: 'tasks.t.params.form.pattern',
    code: 'param_invalid',
    says: 'regular expression',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { required: [1] } },
    path: 'tasks.t.params.form.required',
    code: 'param_invalid',
    says: 'property names',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { properties: [] } },
    path: 'tasks.t.params.form.properties',
    code: 'param_invalid',
    says: 'object of schemas',
  },
  {
    action: 'approval',
    params: { title: 't', levels: [level], form: { type: 'array', items: { type: 'text' } } },
    path: 'tasks.t.params.form.items.type',
    code: 'param_invalid',
    says: '"text"',
  },
]

/** Literal params both layers accept: the register-time rules are no stricter than the actions. */
export const GOOD_BUILTIN_PARAMS: readonly { action: string; params: Record<string, unknown> }[] = [
  { action: 'transform', params: { value: null } },
  { action: 'delay', params: { ms: 0 } },
  { action: 'delay', params: { until: '2030-01-01T00:00:00Z' } },
  { action: 'delay', params: { until: 1_900_000_000_000, note: 'extra keys are ignored' } },
  { action: 'wait-for-event', params: { event: 'go', timeoutMs: 1 } },
  {
    action: 'subworkflow',
    params: { workflow: 'c', version: '1.0.0', input: {}, wait: false, onParentCancel: 'abandon' },
  },
  {
    action: 'approval',
    params: {
      title: 'Pay?',
      description: 'd',
      data: { any: ['thing'] },
      selfApproval: true,
      form: {
        type: 'object',
        title: 'Limit',
        required: ['amount'],
        properties: {
          amount: { type: 'integer', minimum: 0, maximum: 10, description: 'in EUR' },
          note: { type: 'string', minLength: 0, maxLength: 20, pattern: '^[a-z]*$' },
          kind: { enum: ['a', 'b'] },
          tags: { type: 'array', items: { type: 'string' } },
          none: { type: 'null' },
        },
      },
      levels: [
        { approvers: ['a', 'b'], quorum: 'all', timeoutMs: 5, onTimeout: 'escalate' },
        { groups: ['g'], quorum: 3 },
        { approvers: ['c'], groups: ['h'], quorum: 2, timeoutMs: 9, onTimeout: 'approve' },
      ],
    },
  },
]
