import { describe, expect, it } from 'vitest'
import { loadDefinition } from '../../src/definition/load'
import { migrateDefinition } from '../../src/definition/migrate'

const ACTIONS = new Set(['work', 'agent_task', 'validate_inputs', 'execute_process', 'transform'])

function migrated(doc: Record<string, unknown>) {
  const result = migrateDefinition(doc)
  if (!result.ok) throw new Error(JSON.stringify(result.issues))
  return result.definition as { tasks: Record<string, any>; [key: string]: any }
}

function issuesOf(doc: unknown) {
  const loaded = loadDefinition(doc, { actions: ACTIONS })
  if (loaded.ok) throw new Error('expected issues')
  return loaded.issues
}

describe('migrating task lists and Python task dicts', () => {
  it('reads handler, dependencies, params, retry_policy and timeout (seconds) of a task list', () => {
    const def = migrated({
      name: 'Text',
      tasks: [
        {
          id: 'a',
          handler: 'work',
          dependencies: [],
          params: { x: 1 },
          retry_policy: { max_retries: 2, delay: 1.5, backoff_factor: 3, max_delay: 10 },
          timeout: 30,
        },
        { id: 'b', name: 'Second', handler: 'work', dependencies: ['a'], retry_policy: { max_attempts: 4 } },
      ],
    })
    expect(def.tasks).toEqual({
      a: {
        action: 'work',
        params: { x: 1 },
        retry: { maxAttempts: 3, initialDelayMs: 1500, backoff: 3, maxDelayMs: 10_000 },
        timeoutMs: 30_000,
      },
      b: { action: 'work', name: 'Second', dependsOn: ['a'], retry: { maxAttempts: 4 }, trigger: 'all-done' },
    })
  })

  it('takes parameters as params and execution_mode on each task', () => {
    const def = migrated({
      name: 'Modes',
      tasks: {
        first: { agent_id: 'x', action: 'agent_task', parameters: { n: 1 }, execution_mode: 'sequential' },
        side: { agent_id: 'y', action: 'agent_task', execution_mode: 'parallel' },
        after: { agent_id: 'z', action: 'agent_task', execution_mode: 'sequential' },
      },
    })
    expect(def.tasks.first).toEqual({ action: 'agent_task', params: { n: 1, agent: 'x' } })
    expect(def.tasks.side.dependsOn).toBeUndefined()
    expect(def.tasks.after.dependsOn).toEqual(['side'])
  })

  it('makes the workflow-level retry_count, retry_delay and timeout_seconds the defaults', () => {
    const def = migrated({
      name: 'Policy',
      retry_count: 3,
      retry_delay: 5,
      timeout_seconds: 3600,
      tasks: { a: { agent_id: 'x', retry_count: 1, retry_delay: 2, timeout_seconds: 60 } },
    })
    expect(def.defaults).toEqual({ retry: { maxAttempts: 4, initialDelayMs: 5000 }, timeoutMs: 3_600_000 })
    expect(def.tasks.a).toMatchObject({ retry: { maxAttempts: 2, initialDelayMs: 2000 }, timeoutMs: 60_000 })
    expect(def.retry_count).toBeUndefined()
  })

  it('reports a task of a list without id or name, and an unknown retry_policy field with a guess', () => {
    const result = migrateDefinition({
      name: 'Bad',
      tasks: [{ handler: 'work' }, { id: 'b', handler: 'work', retry_policy: { max_retires: 2 } }],
    })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((issue) => [issue.path, issue.code])).toEqual([
      ['tasks[0].id', 'required'],
      ['tasks[1].retry_policy.max_retires', 'unknown_field'],
    ])
    expect(result.issues[1]!.message).toContain('did you mean "max_retries"?')
  })
})

describe('migrating pipelines of named steps', () => {
  it('runs each named step with the previous output and the input, and makes required_state required params', () => {
    const def = migrated({
      name: 'process_control',
      version: '1.0',
      steps: ['validate_inputs', 'execute_process'],
      required_state: ['equipment_id'],
    })
    expect(def).toMatchObject({ id: 'process_control', version: '1.0.0' })
    expect(def.params).toEqual({ equipment_id: { type: 'any', required: true } })
    expect(def.tasks).toEqual({
      validate_inputs: { action: 'validate_inputs', params: { state: '${ input }' } },
      execute_process: {
        action: 'execute_process',
        params: { state: '${ input }', previous: '${ tasks.validate_inputs.output }' },
        dependsOn: ['validate_inputs'],
        trigger: 'all-done',
      },
    })
  })
})

describe('issues are reported where the user wrote them', () => {
  it('gives the paths of the steps, config and retry fields as written', () => {
    const issues = issuesOf({
      name: 'Paths',
      steps: [
        { type: 'work', name: 'A', config: { x: 1 }, retry_count: 200 },
        { type: 'nope', name: 'B' },
        { type: 'transform', name: 'C', config: { valeu: 1 } },
      ],
    })
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ['steps[0].retry_count', 'steps[1].type', 'steps[2].config.value'].sort(),
    )
    for (const issue of issues) expect(issue.message).not.toMatch(/migrated/)
  })

  it('gives the paths of a task list and its parameters as written', () => {
    const issues = issuesOf({
      name: 'Paths',
      tasks: [
        { id: 'a', handler: 'nope' },
        { id: 'b', handler: 'work', dependencies: ['zzz'], parameters: { x: 1 }, timeout: -1 },
      ],
    })
    expect(issues.map((issue) => issue.path).sort()).toEqual(['tasks[1].timeout'])
    const later = issuesOf({
      name: 'Paths',
      tasks: [
        { id: 'a', handler: 'nope' },
        { id: 'b', handler: 'work', dependencies: ['zzz'] },
      ],
    })
    expect(later.map((issue) => issue.path).sort()).toEqual(['tasks[0].handler', 'tasks[1].dependencies[0]'])
  })
})
