import { openDB } from 'idb'
import { filter } from 'rxjs'
import { type Engine, isRunEvent, type WorkflowEvent } from 'spindle'
import { describe, expect, inject, it } from 'vitest'
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

describe('secrets never reach the database, the events or the views', () => {
  const testEngine = testEngines()
  const temp = tempStores()
  const server = inject('testServer')
  const http = { allow: [server] }

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
      http,
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
    engine.events$.pipe(filter(isRunEvent)).subscribe((event) => events.push(event))
    await engine.setSecret('other', OTHER)
    const token = crypto.randomUUID()
    // The real `http` built-in against the test server, which echoes the request it got.
    const call = (path: string) => ({
      action: 'http',
      params: {
        url: `${server}/http/${path}/${token}?o=\${ secret('other') }`,
        query: { k: "${ secret('token') }" },
        headers: { authorization: "Bearer ${ secret('token') }" },
      },
    })
    const runIds = await runAll(engine, {
      uses: { a: { action: 'use' } },
      fails: { a: { action: 'boom' } },
      calls: { a: call('echo') },
      'calls-failing': { a: call('status/401') },
    })
    const views = await Promise.all(runIds.map((runId) => engine.getRun(runId)))
    expect(views.map((view) => view!.status)).toEqual(['completed', 'failed', 'completed', 'failed'])
    // An attempt that read a secret has the values blanked out of its output and state changes.
    expect(views[0]!.tasks.a!.output).toEqual({ length: TOKEN.length, careless: ['token=[secret:token]'] })
    expect(views[0]!.state).toEqual({ careless: { token: '[secret:token]' } })
    // The server got the values (it echoes them); the run keeps their names.
    const echoed = (
      views[2]!.tasks.a!.output as { body: { headers: Record<string, string>; query: string[][] } }
    ).body
    expect(echoed.headers.authorization).toBe('Bearer [secret:token]')
    expect(echoed.query).toEqual([
      ['o', '[secret:other]'],
      ['k', '[secret:token]'],
    ])
    const sent = await (await fetch(`${server}/http/seen/${token}`)).json()
    expect(sent.requests.map((r: { url: string }) => r.url)).toContain(
      `/http/echo/${token}?o=${encodeURIComponent(OTHER)}&k=${encodeURIComponent(TOKEN)}`,
    )
    expect(views[3]!.tasks.a!.error).toMatchObject({ code: 'HTTP_ERROR' })
    expect(views[3]!.tasks.a!.error!.message).toContain('401')

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
    // And no reference left the run.
    expect(everything).not.toContain('\uE000')
  })
  it('a reference typed into a run input is text: the built-in sends it as it is, never the value', async () => {
    const { engine } = testEngine({ secrets: { token: TOKEN }, http })
    // The form secret() gives, with a nonce of the attacker's choosing.
    const forged = `\uE000secret:${'a'.repeat(32)}:token\uE001`
    const token = crypto.randomUUID()
    await engine.register(
      def(
        {
          a: {
            action: 'http',
            params: { url: `${server}/http/echo/${token}`, query: { k: '${ input.h }' } },
          },
        },
        { id: 'forwards', params: { h: { type: 'string' } } },
      ),
    )
    const { runId } = await engine.start('forwards', { h: forged })
    const view = await engine.wait(runId)
    // Sent as typed, not the value; and kept as a name, as every reference is.
    const sent = await (await fetch(`${server}/http/seen/${token}`)).json()
    expect(sent.requests.map((r: { url: string }) => r.url)).toEqual([
      `/http/echo/${token}?k=${encodeURIComponent(forged)}`,
    ])
    expect((view.tasks.a!.output as { body: { query: string[][] } }).body.query).toEqual([
      ['k', '[secret:token]'],
    ])
    expect(JSON.stringify(await engine.history(runId))).not.toContain(TOKEN)
  })
})
