import type { ExpressionScope } from '../../src/types'

/** Built-in action names plus the ones the DESIGN.md example registers. */
export const ACTIONS: ReadonlySet<string> = new Set([
  'noop',
  'delay',
  'transform',
  'http',
  'approval',
  'wait-for-event',
  'subworkflow',
  'file',
  'ai',
  'state-machine',
  'validate-order',
  'price-line',
  'store-order',
  'delete-order',
])

/** A minimal valid 2.0 definition with the given tasks and top-level fields. */
export function definition(tasks: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { schemaVersion: '2.0', id: 'wf', version: '1.0.0', ...extra, tasks }
}

/** The example of DESIGN.md §2, verbatim. */
export function designExample(): Record<string, any> {
  return {
    schemaVersion: '2.0',
    id: 'order-pipeline',
    version: '1.2.0',
    name: 'Order pipeline',
    description: 'Fetch, validate and load an order',
    params: {
      orderId: { type: 'string', required: true },
      priority: { type: 'number', default: 1 },
    },
    defaults: {
      timeoutMs: 300000,
      retry: { maxAttempts: 3, initialDelayMs: 5000, backoff: 2, maxDelayMs: 60000, jitter: 0.2 },
      onError: 'fail',
    },
    concurrency: 8,
    expectedDurationMs: 60000,
    tasks: {
      fetch: { action: 'http', params: { url: "${ 'https://shop.test/orders/' + input.orderId }" } },
      check: {
        action: 'validate-order',
        dependsOn: ['fetch'],
        params: { order: '${ tasks.fetch.output.body }' },
      },
      big: {
        action: 'approval',
        dependsOn: ['check'],
        when: 'tasks.fetch.output.body.total > 1000',
        params: {
          title: 'Approve order ${ input.orderId }',
          levels: [
            { approvers: ['alice'], timeoutMs: 86400000, onTimeout: 'escalate' },
            { groups: ['finance'], quorum: 2, timeoutMs: 172800000, onTimeout: 'reject' },
          ],
        },
      },
      lines: {
        action: 'price-line',
        dependsOn: ['check'],
        forEach: 'tasks.fetch.output.body.lines',
        params: { line: '${ item }' },
        concurrency: 4,
      },
      load: {
        action: 'store-order',
        dependsOn: ['big', 'lines'],
        retry: { maxAttempts: 5 },
        onError: 'pause',
        compensate: { action: 'delete-order', params: { id: '${ input.orderId }' } },
        cache: { ttlMs: 3600000 },
      },
    },
    output: 'tasks.load.output',
  }
}

/** A random DAG of `n` noop tasks (seeded); each task depends on up to three earlier ones. */
export function randomDag(n: number, seed = 42): Record<string, unknown> {
  let state = seed
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
  const tasks: Record<string, unknown> = {}
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>()
    const count = i === 0 ? 0 : Math.floor(random() * 4)
    for (let k = 0; k < count; k++) deps.add(`t${Math.floor(random() * i)}`)
    const dependsOn = [...deps]
    tasks[`t${i}`] = {
      action: 'noop',
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      ...(dependsOn.length > 0 ? { params: { from: `\${ tasks.${dependsOn[0]}.output }` } } : {}),
    }
  }
  return definition(tasks, { id: 'random-dag' })
}

/** An expression scope with the given parts. */
export function scope(parts: Partial<ExpressionScope> = {}): ExpressionScope {
  return {
    input: {},
    tasks: {},
    state: {},
    run: { id: 'run-1', definitionId: 'wf', version: '1.0.0' },
    ...parts,
  }
}
