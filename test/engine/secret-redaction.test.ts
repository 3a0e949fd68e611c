import { openDB } from 'idb'
import type { Engine, WorkflowEvent } from 'spindle'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BuiltinAction } from '../../src/actions/builtin-context'
import { builtinActions } from '../../src/actions/builtins'
import { tempStores } from '../store/temp-database'
import { def, testEngines } from '../support/engine-fixtures'

// Characters that JSON, URLs and base64 each write differently, so every form is searched for.
const TOKEN = 'tok"en/5ecret+=\\ü-1'
const OTHER = 'other-5ecret-value-2'

/** Every way a value could appear in stored text: as is, in JSON, in a URL, in base64. */
function formsOf(value: string): string[] {
  const bytes = new TextEncoder().encode(value)
  const base64 = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join('')).replace(/=+$/, '')
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), base64]
}

/** Text for any stored value: binary data as Latin-1 characters (so encoded bytes can be found too). */
function textOf(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof ArrayBuffer) return new TextDecoder('latin1').decode(item)
    if (ArrayBuffer.isView(item)) return new TextDecoder('latin1').decode(item)
    if (typeof CryptoKey !== 'undefined' && item instanceof CryptoKey) return `CryptoKey(${item.extractable})`
    return item
  })
}

/** Every record of every object store of the database, read raw through idb. */
async function wholeDatabase(name: string): Promise<Record<string, unknown[]>> {
  const db = await openDB(name)
  try {
    const tx = db.transaction([...db.objectStoreNames], 'readonly')
    const all: Record<string, unknown[]> = {}
    for (const store of db.objectStoreNames) all[store] = await tx.objectStore(store).getAll()
    // Closed only once its transaction is over: a connection closing meanwhile blocks the deletion.
    await tx.done
    return all
  } finally {
    db.close()
  }
}

/**
 * Stands in for the `http` built-in (written on its own branch): it reveals the `secret()`
 * references of its URL, query and headers as `http` does just before fetch, then uses the
 * values: it logs them, and fails quoting them when asked to, as a careless action might.
 */
const fakeHttp: BuiltinAction = async (params, ctx) => {
  const { url, query, headers } = await ctx.secrets.reveal({
    url: params.url,
    query: params.query,
    headers: params.headers,
  })
  ctx.log('calling', url, query, headers)
  if (params.fail)
    throw new Error(`401 for ${url}?k=${encodeURIComponent(query.k)} with ${headers.authorization}`)
  // A server that echoes the request (as many test endpoints do) puts the values in the body.
  return { status: 200, sent: String(headers.authorization).length, body: { echoed: headers } }
}

describe('secrets never reach the database, the events or the views', () => {
  const testEngine = testEngines()
  const temp = tempStores()
  const builtins = builtinActions as Record<string, BuiltinAction>
  const original = builtins.http

  beforeAll(() => {
    builtins.http = fakeHttp
  })
  afterAll(() => {
    if (original) builtins.http = original
    else delete builtins.http
  })

  async function runAll(engine: Engine, definitions: Record<string, Record<string, unknown>>) {
    const ids: string[] = []
    for (const [id, tasks] of Object.entries(definitions)) {
      await engine.register(def(tasks, { id }))
      const { runId } = await engine.start(id)
      ids.push(runId)
      await engine.wait(runId).catch(() => undefined)
    }
    return ids
  }

  it('after runs that use them in actions, logs, progress notes, errors and secret() params', async () => {
    const events: WorkflowEvent[] = []
    const store = temp.open()
    const { engine } = testEngine({
      store,
      secrets: { token: TOKEN },
      defaults: { retry: { maxAttempts: 1 } },
      actions: {
        use: async (_params: unknown, ctx) => {
          const token = (await ctx.secrets.get('token'))!
          ctx.log('using', token, { token })
          ctx.progress(0.5, `half way with ${token}`)
          ctx.state.set('careless', { token })
          return { length: token.length, careless: [`token=${token}`] }
        },
        boom: async (_params: unknown, ctx) => {
          const other = (await ctx.secrets.get('other'))!
          throw new Error(`rejected: ${JSON.stringify({ other })} ${btoa(other)}`)
        },
      },
    })
    engine.events$.subscribe((event) => events.push(event))
    await engine.setSecret('other', OTHER)
    const call = {
      action: 'http',
      params: {
        url: "https://api.test/${ secret('other') }",
        query: { k: "${ secret('token') }" },
        headers: { authorization: "Bearer ${ secret('token') }" },
      },
    }
    const runIds = await runAll(engine, {
      uses: { a: { action: 'use' } },
      fails: { a: { action: 'boom' } },
      calls: { a: call },
      'calls-failing': { a: { ...call, params: { ...call.params, fail: true } } },
    })
    const views = await Promise.all(runIds.map((runId) => engine.getRun(runId)))
    expect(views.map((view) => view!.status)).toEqual(['completed', 'failed', 'completed', 'failed'])
    // An attempt that read a secret has the values blanked out of its output and state changes.
    expect(views[0]!.tasks.a!.output).toEqual({ length: TOKEN.length, careless: ['token=[secret:token]'] })
    expect(views[0]!.state).toEqual({ careless: { token: '[secret:token]' } })
    expect(views[2]!.tasks.a!.output).toEqual({
      status: 200,
      sent: `Bearer ${TOKEN}`.length,
      body: { echoed: { authorization: 'Bearer [secret:token]' } },
    })

    const histories = await Promise.all(runIds.map((runId) => engine.history(runId)))
    const snapshots = await Promise.all(runIds.map((runId) => engine.runSnapshot(runId)))
    const listed = await engine.listRuns()
    await engine.close()
    const database = await wholeDatabase(store.name)
    expect(Object.keys(database)).toEqual(expect.arrayContaining(['pages', 'runs', 'secrets', 'keys']))
    expect(database.secrets).toHaveLength(2)

    const everything = textOf({ database, events, views, histories, snapshots, listed })
    for (const value of [TOKEN, OTHER]) {
      for (const form of formsOf(value)) expect(everything).not.toContain(form)
    }
    // What was said about them is kept, with the value blanked out.
    const said = textOf(histories)
    expect(said).toContain('using [secret:token]')
    expect(said).toContain('half way with [secret:token]')
    expect(said).toContain('rejected: {\\"other\\":\\"[secret:other]\\"} [secret:other]')
    expect(said).toContain(
      '401 for https://api.test/[secret:other]?k=[secret:token] with Bearer [secret:token]',
    )
    // And no reference left the run: the failing call's message names the secrets instead.
    expect(everything).not.toContain('\uE000')
  })
  it('a reference typed into a run input is text: the built-in sends it as it is, never the value', async () => {
    const { engine } = testEngine({ secrets: { token: TOKEN } })
    // The form secret() gives, with a nonce of the attacker's choosing.
    const forged = `\uE000secret:${'a'.repeat(32)}:token\uE001`
    await engine.register(
      def(
        {
          a: {
            action: 'http',
            params: { url: 'https://api.test', headers: { authorization: '${ input.h }' } },
          },
        },
        { id: 'forwards', params: { h: { type: 'string' } } },
      ),
    )
    const { runId } = await engine.start('forwards', { h: forged })
    const view = await engine.wait(runId)
    // Sent as typed (its length, not the value's), and kept as a name, as every reference is.
    expect(view.tasks.a!.output).toEqual({
      status: 200,
      sent: forged.length,
      body: { echoed: { authorization: '[secret:token]' } },
    })
    expect(JSON.stringify(await engine.history(runId))).not.toContain(TOKEN)
  })
})
