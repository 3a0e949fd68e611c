/**
 * Literal params of built-in actions that the action refuses when it runs (`INPUT_INVALID`) and
 * that `validate()`/`register()` therefore refuse too, each with the issue it gives (task `t`).
 * Shared by the register-time tests and the test that runs the actions on the same params, so
 * the two layers' rules cannot drift apart.
 */
export interface BadParamsRow {
  action: string
  params: Record<string, unknown> | undefined
  /** The path: `tasks.t.params.<field>…`. */
  path: string
  code: string
  /** A piece of the message (what to write instead, or the name it likely means). */
  says: string
  /** Refused for the keys written, whatever values they resolve to (so also when computed). */
  byKeys?: true
}

/** Rows of one action; `at` is the path under `tasks.t.params`. */
function rows(action: string, list: [Record<string, unknown> | undefined, string, string, string][]) {
  return list.map(
    ([params, at, code, says]): BadParamsRow => ({
      action,
      params,
      path: `tasks.t.params.${at}`,
      code,
      says,
    }),
  )
}

const level = { approvers: ['ann'] }
/** Valid approval params, to spoil one part of. */
const ok = { title: 't', levels: [level] }
const form = (schema: unknown) => ({ ...ok, form: schema })
const levels = (...list: unknown[]) => ({ title: 't', levels: list })

export const BAD_BUILTIN_PARAMS: readonly BadParamsRow[] = [
  ...rows('transform', [
    [undefined, 'value', 'param_required', 'params.value'],
    [{ valeu: 1 }, 'value', 'param_required', 'rename "valeu" to "value"'],
  ]),
  ...rows('delay', [
    [{}, 'ms', 'param_required', 'params.until'],
    [{ MS: 5 }, 'ms', 'param_required', 'rename "MS" to "ms"'],
    [{ ms: -5 }, 'ms', 'param_invalid', '≥ 0'],
    [{ ms: '5s' }, 'ms', 'param_invalid', '"5s"'],
    [{ until: 'tomorrow' }, 'until', 'param_invalid', 'ISO date'],
    [{ until: true }, 'until', 'param_invalid', 'true'],
  ]),
  {
    action: 'delay',
    params: { ms: 5, until: 6 },
    path: 'tasks.t.params.until',
    code: 'param_invalid',
    says: 'not both',
    byKeys: true,
  },
  ...rows('wait-for-event', [
    [{}, 'event', 'param_required', 'signal'],
    [{ evnt: 'go' }, 'event', 'param_required', 'rename "evnt" to "event"'],
    [{ event: '' }, 'event', 'param_invalid', '""'],
    [{ event: 'go', timeoutMs: 0 }, 'timeoutMs', 'param_invalid', '> 0'],
    [{ event: 'go', timeoutMs: '1h' }, 'timeoutMs', 'param_invalid', '"1h"'],
  ]),
  ...rows('subworkflow', [
    [{}, 'workflow', 'param_required', 'workflow id'],
    [{ workflow: 7 }, 'workflow', 'param_invalid', '7'],
    [{ workflow: 'c', version: '' }, 'version', 'param_invalid', 'leave it out'],
    [{ workflow: 'c', input: [1] }, 'input', 'param_invalid', 'an object'],
    [{ workflow: 'c', wait: 'yes' }, 'wait', 'param_invalid', 'true'],
    [
      { workflow: 'c', onParentCancel: 'abandn' },
      'onParentCancel',
      'param_invalid',
      'did you mean "abandon"',
    ],
  ]),
  ...rows('approval', [
    [{ levels: [level] }, 'title', 'param_required', 'what the approvers are asked'],
    [{ ...ok, title: ' ' }, 'title', 'param_invalid', 'non-empty'],
    [{ ...ok, titel: 'x' }, 'titel', 'unknown_param', 'did you mean "title"'],
    [{ ...ok, approvers: ['b'] }, 'approvers', 'unknown_param', 'inside a level'],
    [{ ...ok, description: 5 }, 'description', 'param_invalid', 'a string'],
    [{ ...ok, selfApproval: 'yes' }, 'selfApproval', 'param_invalid', 'true or false'],
    [{ title: 't' }, 'levels', 'param_required', 'levels'],
    [levels(), 'levels', 'param_invalid', 'non-empty array'],
    [levels('ann'), 'levels[0]', 'param_invalid', 'an object'],
    [levels({ approvers: ['ann'], quroum: 1 }), 'levels[0].quroum', 'unknown_param', 'did you mean "quorum"'],
    [levels({ approvers: [] }), 'levels[0]', 'param_invalid', 'approvers or groups'],
    [levels({ approvers: [''] }), 'levels[0].approvers', 'param_invalid', 'non-empty names'],
    [levels({ groups: 'g' }), 'levels[0].groups', 'param_invalid', 'non-empty names'],
    [levels({ groups: ['g'], quorum: 0 }), 'levels[0].quorum', 'param_invalid', "'all'"],
    [levels({ approvers: ['a', 'a'], quorum: 2 }), 'levels[0].quorum', 'param_invalid', '1 approver'],
    [levels({ groups: ['g'], quorum: 'all' }), 'levels[0].quorum', 'param_invalid', 'list them in approvers'],
    [levels({ approvers: ['a'], timeoutMs: -1 }), 'levels[0].timeoutMs', 'param_invalid', '> 0'],
    [
      levels({ approvers: ['a'], onTimeout: 'rejct' }),
      'levels[0].onTimeout',
      'param_invalid',
      'did you mean "reject"',
    ],
    [
      levels({ approvers: ['a'], onTimeout: 'escalate' }),
      'levels[0].onTimeout',
      'param_invalid',
      'last level',
    ],
    [form('amount'), 'form', 'param_invalid', 'JSON Schema object'],
    [form({ type: 'object', oneOf: [] }), 'form.oneOf', 'unsupported_keyword', 'minLength'],
    [form({ type: 'date' }), 'form.type', 'param_invalid', 'integer'],
    [form({ properties: { n: { minimum: '0' } } }), 'form.properties.n.minimum', 'param_invalid', 'a number'],
    [
      form({ properties: { s: { maxLenght: 3 } } }),
      'form.properties.s.maxLenght',
      'unsupported_keyword',
      'did you mean "maxLength"',
    ],
    [form({ maxLength: 1.5 }), 'form.maxLength', 'param_invalid', 'whole number'],
    [form({ enum: [] }), 'form.enum', 'param_invalid', 'non-empty array'],
    [form({ pattern: '(' }), 'form.pattern', 'param_invalid', 'regular expression'],
    [form({ required: [1] }), 'form.required', 'param_invalid', 'property names'],
    [form({ properties: [] }), 'form.properties', 'param_invalid', 'object of schemas'],
    [form({ type: 'array', items: { type: 'text' } }), 'form.items.type', 'param_invalid', '"text"'],
  ]),
  ...rows('ai', [
    [{ model: 'm' }, 'prompt', 'param_required', 'params.messages'],
    [{ promt: 'hi' }, 'prompt', 'param_required', 'rename "promt" to "prompt"'],
    [{ prompt: '' }, 'prompt', 'param_invalid', 'non-empty string'],
    [{ prompt: 'hi', system: 1 }, 'system', 'param_invalid', 'a string'],
    [{ messages: [{ role: 'bot', content: 'x' }] }, 'messages', 'param_invalid', '"role"'],
    [{ prompt: 'hi', model: [] }, 'model', 'param_invalid', 'fallback order'],
    [{ prompt: 'hi', require: { gpu: true } }, 'require.gpu', 'param_invalid', 'minContext'],
    [{ prompt: 'hi', require: { minContext: 0.5 } }, 'require.minContext', 'param_invalid', 'whole number'],
    [{ prompt: 'hi', output: { schema: 'x' } }, 'output', 'param_invalid', 'JSON Schema object'],
    [
      { prompt: 'hi', output: { schema: { type: 'text' } } },
      'output.schema.type',
      'param_invalid',
      'no JSON type',
    ],
    [
      { prompt: 'hi', output: { schema: { properties: { a: { type: 'str' } } } } },
      'output.schema.properties.a.type',
      'param_invalid',
      '"str"',
    ],
    [{ prompt: 'hi', temperature: 5 }, 'temperature', 'param_invalid', 'from 0 to 2'],
    [{ prompt: 'hi', maxOutputTokens: 0 }, 'maxOutputTokens', 'param_invalid', 'whole number'],
    [{ prompt: 'hi', stream: 'yes' }, 'stream', 'param_invalid', 'true or false'],
  ]),
  {
    action: 'ai',
    params: { prompt: 'hi', messages: [{ role: 'user', content: 'hi' }] },
    path: 'tasks.t.params.messages',
    code: 'param_invalid',
    says: 'not both',
    byKeys: true,
  },
  {
    action: 'ai',
    params: { prompt: 'hi', tempreature: 1 },
    path: 'tasks.t.params.tempreature',
    code: 'unknown_param',
    says: 'did you mean "temperature"',
    byKeys: true,
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
