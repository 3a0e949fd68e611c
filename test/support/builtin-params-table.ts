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
  // `match` is compiled at register, so it is never computed (a `${ }` in it is refused there).
  ...rows('wait-for-event', [
    [{ event: 'go', match: 3 }, 'match', 'param_invalid', 'CEL expression over event and run'],
    [{ event: 'go', match: ' ' }, 'match', 'param_invalid', 'CEL expression over event and run'],
  ]).map((row) => ({ ...row, byKeys: true as const })),
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
  ...rows('http', [
    [{}, 'url', 'param_required', 'the URL to call'],
    [{ uri: 'https://a.test' }, 'url', 'param_required', 'rename "uri" to "url"'],
    [{ url: 'ftp://a.test/f' }, 'url', 'param_invalid', 'absolute http(s) URL'],
    [{ url: '/orders' }, 'url', 'param_invalid', 'absolute http(s) URL'],
    [{ url: 'https://user:pw@a.test/x' }, 'url', 'param_invalid', 'user name or password'],
    [{ url: 'https://a.test', methd: 'GET' }, 'methd', 'unknown_param', 'did you mean "method"'],
    [{ url: 'https://a.test', method: 'post' }, 'method', 'param_invalid', 'did you mean "POST"'],
    [{ url: 'https://a.test', headers: { 'x-n': 1 } }, 'headers', 'param_invalid', 'string values'],
    [{ url: 'https://a.test', headers: { 'x a': 'v' } }, 'headers', 'param_invalid', 'header name "x a"'],
    [{ url: 'https://a.test', headers: { 'x-a': 'one\ntwo' } }, 'headers', 'param_invalid', 'header "x-a"'],
    [{ url: 'https://a.test', headers: { 'x-b': 'naïve ✓' } }, 'headers', 'param_invalid', 'Latin-1'],
    [{ url: 'https://a.test', query: { q: { deep: 1 } } }, 'query', 'param_invalid', 'arrays of them'],
    [{ url: 'https://a.test', method: 'POST', body: { a: 1 } }, 'body', 'param_invalid', 'params.json'],
    [{ url: 'https://a.test', timeoutMs: 0 }, 'timeoutMs', 'param_invalid', '> 0'],
    [{ url: 'https://a.test', expect: '2XX' }, 'expect', 'param_invalid', '"2xx"'],
    [{ url: 'https://a.test', expect: [200, 700] }, 'expect', 'param_invalid', '200…599'],
    [{ url: 'https://a.test', expect: [] }, 'expect', 'param_invalid', 'non-empty array'],
    [{ url: 'https://a.test', responseType: 'blob' }, 'responseType', 'param_invalid', '"bytes"'],
  ]),
  {
    action: 'http',
    params: { url: 'https://a.test', method: 'POST', body: 'a', json: {} },
    path: 'tasks.t.params.json',
    code: 'param_invalid',
    says: 'not both',
    byKeys: true,
  },
  {
    action: 'http',
    params: { url: 'https://a.test', body: 'a' },
    path: 'tasks.t.params.body',
    code: 'param_invalid',
    says: 'cannot have a body',
    byKeys: true,
  },
  ...rows('file', [
    [{ path: 'a.txt' }, 'op', 'param_required', 'one of read, write'],
    [{ op: 'raed', path: 'a.txt' }, 'op', 'param_invalid', '"raed"'],
    [{ op: 'read' }, 'path', 'param_required', 'params.path'],
    [{ op: 'read', path: '../a.txt' }, 'path', 'param_invalid', '".." name'],
    [{ op: 'stat', path: '/etc/passwd' }, 'path', 'param_invalid', 'relative'],
    [{ op: 'list', path: 'a\\b' }, 'path', 'param_invalid', 'separate names with "/"'],
    [{ op: 'copy', path: 'a.txt' }, 'to', 'param_required', 'params.to'],
    [{ op: 'move', path: 'a.txt', to: 'x/../../b' }, 'to', 'param_invalid', '".." name'],
    [{ op: 'move', path: 'a', to: 'a/b' }, 'to', 'param_invalid', 'inside it'],
    [{ op: 'move', path: 'a/b', to: 'a' }, 'to', 'param_invalid', 'holds "a/b"'],
    [{ op: 'copy', path: 'a/b/c', to: 'a' }, 'to', 'param_invalid', 'holds "a/b/c"'],
    [{ op: 'copy', path: 'a/b', to: 'a/b' }, 'to', 'param_invalid', 'inside it'],
    [{ op: 'write', path: 'a.txt' }, 'data', 'param_required', 'params.data'],
    [{ op: 'append', path: 'a.txt', data: 5, encoding: 'text' }, 'data', 'param_invalid', 'a string'],
    [{ op: 'write', path: 'a.txt', data: 'x', encoding: 'bytes' }, 'data', 'param_invalid', 'Uint8Array'],
    [{ op: 'read', path: 'a.txt', encoding: 'utf8' }, 'encoding', 'param_invalid', 'text, json, bytes'],
    [{ op: 'delete', path: 'a', recursive: 'yes' }, 'recursive', 'param_invalid', 'true or false'],
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

/**
 * Literal params both layers accept: the register-time rules are no stricter than the actions.
 * The `file` rows run in this order on one files root: each finds what the rows before it wrote.
 */
export const GOOD_BUILTIN_PARAMS: readonly { action: string; params: Record<string, unknown> }[] = [
  { action: 'transform', params: { value: null } },
  { action: 'delay', params: { ms: 0 } },
  { action: 'delay', params: { until: '2030-01-01T00:00:00Z' } },
  { action: 'delay', params: { until: 1_900_000_000_000, note: 'extra keys are ignored' } },
  { action: 'wait-for-event', params: { event: 'go', timeoutMs: 1 } },
  { action: 'wait-for-event', params: { event: 'go', match: 'event.data.n > run.input.n' } },
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
  { action: 'http', params: { url: 'https://api.example.com/orders' } },
  {
    action: 'http',
    params: {
      url: 'https://api.example.com/orders',
      method: 'POST',
      headers: { authorization: 'Bearer abc', 'x-n': '1' },
      query: { q: 'x', tags: ['a', 1, true] },
      json: { any: ['thing'] },
      timeoutMs: 5_000,
      expect: ['2xx', 404],
      responseType: 'text',
    },
  },
  {
    action: 'http',
    params: { url: 'https://api.example.com/orders', method: 'PUT', body: 'raw', expect: [200, 201] },
  },
  { action: 'file', params: { op: 'write', path: 'a/b.txt', data: 'hi', encoding: 'text' } },
  { action: 'file', params: { op: 'append', path: 'a/c.jsonl', data: { n: 1 } } },
  { action: 'file', params: { op: 'read', path: 'a/b.txt' } },
  { action: 'file', params: { op: 'copy', path: 'a/b.txt', to: 'b.txt' } },
  { action: 'file', params: { op: 'move', path: 'b.txt', to: 'd/b.txt' } },
  { action: 'file', params: { op: 'list' } },
  { action: 'file', params: { op: 'stat', path: '' } },
  { action: 'file', params: { op: 'delete', path: 'a', recursive: true } },
]
