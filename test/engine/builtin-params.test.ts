import { TaskError } from 'spindle'
import { afterAll, describe, expect, it } from 'vitest'
import type { BuiltinContext } from '../../src/actions/builtin-context'
import { builtinActions } from '../../src/actions/builtins'
import { FileRoot } from '../../src/host/file-root'
import { handContext, noNetwork } from '../support/builtin-context'
import { BAD_BUILTIN_PARAMS, GOOD_BUILTIN_PARAMS } from '../support/builtin-params-table'
import { def, testEngines } from '../support/engine-fixtures'

/** The `file` rows' own folder of the origin private file system, removed after the tests. */
const files = new FileRoot(`builtin-params-${crypto.randomUUID()}`)
afterAll(async () => {
  await (await navigator.storage.getDirectory()).removeEntry(files.root, { recursive: true })
})

/**
 * A built-in's context made by hand: a child run starts at once, api.example.com answers `{}`,
 * files go to `files`, nothing else happens.
 */
function context(): BuiltinContext {
  return handContext({
    files,
    now: () => 1_000,
    waitFor: (wait) => ({ wait }) as never,
    runs: { start: async () => ({ runId: 'r/t', version: '1.0.0', status: 'running' }) },
    http: {
      ...noNetwork,
      allow: ['https://api.example.com'],
      fetch: async () => new Response('{}', { headers: { 'content-type': 'application/json' } }),
    },
  })
}

/** What running the action on `params` gives: its result, or the error it throws or rejects with. */
async function run(action: string, params: unknown): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await builtinActions[action]!(params, context())
    return { ok: true }
  } catch (error) {
    return { ok: false, error }
  }
}

/** The same params, each written `${ input.p.<key> }`, so register cannot see them and the run checks them. */
function computed(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(params).map((key) => [key, `\${ input.p.${key} }`]))
}

describe('built-in params: register and the action refuse the same literal params', () => {
  const open = testEngines()

  it.each(BAD_BUILTIN_PARAMS)('$action $params', async ({ action, params, path, code }) => {
    const { engine } = open()
    const task = params === undefined ? { action } : { action, params }
    const result = engine.validate(def({ t: task }))
    expect(result.issues.map((i) => [i.path, i.code])).toEqual([[path, code]])

    const ran = await run(action, params)
    expect(ran.ok).toBe(false)
    expect((ran as { error: unknown }).error).toBeInstanceOf(TaskError)
    expect((ran as { error: TaskError }).error.code).toBe('INPUT_INVALID')
  })

  it.each(
    BAD_BUILTIN_PARAMS.filter(
      (row) => !row.byKeys && (row.code === 'param_invalid' || row.code === 'unsupported_keyword'),
    ),
  )(
    'a run of $action with $params computed fails the task with INPUT_INVALID',
    async ({ action, params }) => {
      const { engine } = open()
      await engine.register(def({ t: { action, params: computed(params!), retry: { maxAttempts: 2 } } }))
      const view = await engine.wait((await engine.start('wf', { p: params })).runId)
      expect(view.tasks.t).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'INPUT_INVALID' } })
    },
  )

  it.each(GOOD_BUILTIN_PARAMS)('both accept $action $params', async ({ action, params }) => {
    const { engine } = open()
    expect(engine.validate(def({ t: { action, params } }))).toEqual({ ok: true, issues: [] })
    expect(await run(action, params)).toEqual({ ok: true })
  })
})
