import { describe, expect, it } from 'vitest'
import { BUILT_IN_RETRY, compileWorkflow } from '../../src/definition/compile'
import { loadDefinition } from '../../src/definition/load'
import { DefinitionError } from '../../src/errors'
import type { WorkflowDefinition } from '../../src/types'
import { ACTIONS, definition, designExample, scope } from './definitions'

function load(doc: unknown): WorkflowDefinition {
  const result = loadDefinition(doc, { actions: ACTIONS })
  if (!result.ok) throw new DefinitionError(result.issues)
  return result.definition
}

function example(): WorkflowDefinition {
  const doc = designExample()
  delete doc.tasks.load.cache
  return load(doc)
}

describe('compileWorkflow', () => {
  it('compiles a task cache: scope defaulted to global, its key expression reading upstream tasks', () => {
    const workflow = compileWorkflow(
      load(
        definition({
          a: { action: 'noop' },
          b: { action: 'noop', dependsOn: ['a'], cache: { ttlMs: 60_000, key: 'tasks.a.output.id' } },
          c: { action: 'noop', cache: { ttlMs: 5, scope: 'run' } },
        }),
      ),
    )
    const b = workflow.tasks.get('b')!
    expect(b.cache?.ttlMs).toBe(60_000)
    expect(b.cache?.scope).toBe('global')
    expect(b.taskRefs).toEqual(['a'])
    expect(b.cache?.key?.evaluate(scope({ tasks: { a: { output: { id: 7 }, status: 'completed' } } }))).toBe(
      7,
    )
    expect(workflow.tasks.get('c')!.cache).toEqual({ ttlMs: 5, scope: 'run' })
    expect(workflow.tasks.get('a')!.cache).toBeUndefined()
  })

  it('builds the graph both ways, a topological order, roots and leaves', () => {
    const workflow = compileWorkflow(example())
    expect(workflow.key).toBe('order-pipeline@1.2.0')
    expect(workflow.order).toEqual(['fetch', 'check', 'big', 'lines', 'load'])
    expect(workflow.roots).toEqual(['fetch'])
    expect(workflow.leaves).toEqual(['load'])
    expect(workflow.tasks.get('check')!.children).toEqual(['big', 'lines'])
    expect(workflow.tasks.get('load')!.dependsOn).toEqual(['big', 'lines'])
    expect(workflow.concurrency).toBe(8)
    expect(workflow.expectedDurationMs).toBe(60000)
  })

  it('orders ties in definition order and puts every task after its dependencies', () => {
    const workflow = compileWorkflow(
      load(
        definition({
          z: { action: 'noop', dependsOn: ['m'] },
          m: { action: 'noop' },
          a: { action: 'noop' },
          b: { action: 'noop', dependsOn: ['z', 'a'] },
        }),
      ),
    )
    expect(workflow.order).toEqual(['m', 'a', 'z', 'b'])
    expect(workflow.roots).toEqual(['m', 'a'])
    expect(workflow.leaves).toEqual(['b'])
  })

  it('resolves retry field by field: task, definition defaults, engine defaults, built-in', () => {
    const def = load(
      definition(
        {
          own: { action: 'noop', retry: { maxAttempts: 5 } },
          plain: { action: 'noop' },
          slow: { action: 'noop', retry: { initialDelayMs: 120_000 } },
        },
        { defaults: { retry: { initialDelayMs: 10, backoff: 3 } } },
      ),
    )
    const workflow = compileWorkflow(def, { retry: { maxAttempts: 2, jitter: 0.5, backoff: 9 } })
    expect(workflow.tasks.get('own')!.retry).toEqual({
      maxAttempts: 5,
      initialDelayMs: 10,
      backoff: 3,
      maxDelayMs: 60_000,
      jitter: 0.5,
    })
    expect(workflow.tasks.get('plain')!.retry).toEqual({
      maxAttempts: 2,
      initialDelayMs: 10,
      backoff: 3,
      maxDelayMs: 60_000,
      jitter: 0.5,
    })
    expect(workflow.tasks.get('slow')!.retry.maxDelayMs).toBe(120_000)
    expect(compileWorkflow(load(definition({ a: { action: 'noop' } }))).tasks.get('a')!.retry).toEqual(
      BUILT_IN_RETRY,
    )
  })

  it('resolves timeoutMs and onError along the same chain, with concurrency defaults', () => {
    const def = load(
      definition(
        {
          a: { action: 'noop', timeoutMs: 5, onError: 'skip', forEach: '[1]', concurrency: 2 },
          b: { action: 'noop' },
        },
        { defaults: { timeoutMs: 50 } },
      ),
    )
    const workflow = compileWorkflow(def, { timeoutMs: 500, onError: 'continue' })
    expect(workflow.tasks.get('a')).toMatchObject({ timeoutMs: 5, onError: 'skip', concurrency: 2 })
    expect(workflow.tasks.get('b')).toMatchObject({ timeoutMs: 50, onError: 'continue', concurrency: 4 })
    expect(compileWorkflow(def).tasks.get('b')!.onError).toBe('fail')
    expect(compileWorkflow(def).concurrency).toBe(16)
    const bare = compileWorkflow(load(definition({ a: { action: 'noop' } }))).tasks.get('a')!
    expect(bare.timeoutMs).toBeUndefined()
    expect('timeoutMs' in bare).toBe(false)
  })

  it('compiles expressions, params and compensation with their task references', () => {
    const workflow = compileWorkflow(example())
    const big = workflow.tasks.get('big')!
    expect(
      big.when!.evaluate(
        scope({ tasks: { fetch: { output: { body: { total: 1500 } }, status: 'completed' } } }),
      ),
    ).toBe(true)
    if (big.params!.static) throw new Error('expected dynamic params: the title is a template')
    expect(big.params!.resolve(scope({ input: { orderId: 'A-7' } }))).toEqual({
      title: 'Approve order A-7',
      levels: [
        { approvers: ['alice'], timeoutMs: 86400000, onTimeout: 'escalate' },
        { groups: ['finance'], quorum: 2, timeoutMs: 172800000, onTimeout: 'reject' },
      ],
    })
    expect(big.taskRefs).toEqual(['fetch'])
    const lines = workflow.tasks.get('lines')!
    expect(lines.forEach!.taskRefs).toEqual(['fetch'])
    if (lines.params!.static) throw new Error('expected dynamic params')
    expect(lines.params!.resolve(scope({ item: { sku: 'x' }, index: 0 }))).toEqual({ line: { sku: 'x' } })
    const load = workflow.tasks.get('load')!
    expect(load.compensate!.action).toBe('delete-order')
    const undo = load.compensate!.params!
    if (undo.static) throw new Error('expected dynamic params')
    expect(undo.resolve(scope({ input: { orderId: 'A-7' } }))).toEqual({ id: 'A-7' })
    expect(load.taskRefs).toEqual([])
    expect(
      workflow.output!.evaluate(scope({ tasks: { load: { output: { ok: 1 }, status: 'completed' } } })),
    ).toEqual({ ok: 1 })
  })

  it('caches per definition object and engine defaults, sharing what validation compiled', () => {
    const def = example()
    expect(compileWorkflow(def)).toBe(compileWorkflow(def))
    expect(compileWorkflow(def, { timeoutMs: 1 })).toBe(compileWorkflow(def, { timeoutMs: 1 }))
    expect(compileWorkflow(def, { timeoutMs: 1 })).not.toBe(compileWorkflow(def, { timeoutMs: 2 }))
    expect(compileWorkflow(def).tasks.get('big')!.when).toBe(
      compileWorkflow(def, { timeoutMs: 2 }).tasks.get('big')!.when,
    )
  })

  it('compiles a definition that did not come through loadDefinition (read back from a store)', () => {
    const stored = structuredClone(example())
    const workflow = compileWorkflow(stored)
    expect(workflow.order).toHaveLength(5)
  })

  it('throws DefinitionError for an invalid definition that skipped loadDefinition', () => {
    const cyclic = definition({
      a: { action: 'noop', dependsOn: ['b'] },
      b: { action: 'noop', dependsOn: ['a'] },
    }) as WorkflowDefinition
    expect(() => compileWorkflow(cyclic)).toThrow(DefinitionError)
    expect(() =>
      compileWorkflow(definition({ a: { action: 'noop', when: 'x +' } }) as WorkflowDefinition),
    ).toThrow(/Syntax error/)
  })

  it('freezes what it returns', () => {
    const workflow = compileWorkflow(example())
    expect(Object.isFrozen(workflow)).toBe(true)
    expect(Object.isFrozen(workflow.tasks.get('fetch'))).toBe(true)
    expect(Object.isFrozen(workflow.order)).toBe(true)
  })
})
