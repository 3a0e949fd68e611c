import { TaskError } from 'spindle'
import { describe, expect, inject, it } from 'vitest'
import type { BuiltinContext, BuiltinSecrets, HttpAccess } from '../../src/actions/builtin-context'
import { http } from '../../src/actions/http'
import { secretReference } from '../../src/definition/secret-reference'
import { SecretVault } from '../../src/host/secret-vault'
import { handContext, noNetwork } from '../support/builtin-context'

const server = inject('testServer')

/** The engine's vault with one secret, and the reference `secret('token')` evaluates to. */
const secrets = new SecretVault({ token: 's3cr3t-value' })
const TOKEN = secretReference('token')

/** A context whose network is the test server (allowed) through the real fetch. */
function context(fields: Partial<BuiltinContext> = {}, access: Partial<HttpAccess> = {}): BuiltinContext {
  return handContext({
    secrets,
    http: { ...noNetwork, allow: [server], fetch: (url, init) => fetch(url, init), ...access },
    ...fields,
  })
}

/** What `run` rejects with. */
async function failure(run: Promise<unknown>): Promise<TaskError> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(TaskError)
  return error as TaskError
}

type Echo = {
  method: string
  headers: Record<string, string>
  query: string[][]
  body: string
  bytes: number[]
}

describe('http (a context made by hand)', () => {
  it('sends bytes bodies as they are', async () => {
    const url = `${server}/http/echo/unit-bytes`
    const sent = await http({ url, method: 'PUT', body: new Uint8Array([1, 2, 250]) }, context())
    expect((sent.body as Echo).bytes).toEqual([1, 2, 250])
    const buffer = new Uint8Array([7, 8]).buffer
    const again = await http({ url, method: 'PUT', body: buffer }, context())
    expect((again.body as Echo).bytes).toEqual([7, 8])
  })

  it('fills secrets into url, query and headers, and keeps them out of the output and errors', async () => {
    const seen: { url: string; headers: Headers }[] = []
    const access = {
      fetch: (url: string, init: RequestInit) => {
        seen.push({ url, headers: new Headers(init.headers) })
        return fetch(`${server}/http/status/401/unit-secret`, init)
      },
    }
    const error = await failure(
      http(
        {
          url: `${server}/orders/${TOKEN}`,
          query: { key: TOKEN },
          headers: { authorization: `Bearer ${TOKEN}` },
        },
        context({}, access),
      ),
    )
    expect(seen[0]!.url).toBe(`${server}/orders/s3cr3t-value?key=s3cr3t-value`)
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer s3cr3t-value')
    expect(error).toMatchObject({ code: 'HTTP_ERROR', retryable: false, status: 401 })
    expect(error.message).toContain('answered 401')
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('s3cr3t-value')
  })

  it('keeps an Idempotency-Key the params set, and sends none on GET', async () => {
    const url = `${server}/http/echo/unit-key`
    const own = await http({ url, method: 'DELETE', headers: { 'Idempotency-Key': 'mine' } }, context())
    expect((own.body as Echo).headers['idempotency-key']).toBe('mine')
    const patched = await http({ url, method: 'PATCH', json: null }, context({ idempotencyKey: 'r:t:3' }))
    expect((patched.body as Echo).headers['idempotency-key']).toBe('r:t:3')
    expect((patched.body as Echo).body).toBe('null')
  })

  it('outputs no body for HEAD, and takes expect as statuses or classes', async () => {
    expect(await http({ url: `${server}/http/json`, method: 'HEAD' }, context())).toMatchObject({
      status: 200,
      body: null,
    })
    const gone = await http({ url: `${server}/http/status/410/unit-expect`, expect: [410, '2xx'] }, context())
    expect(gone).toMatchObject({ status: 410, body: 'status 410' })
    const error = await failure(http({ url: `${server}/http/json`, expect: 201 }, context()))
    expect(error).toMatchObject({ code: 'HTTP_ERROR', retryable: false, status: 200 })
  })

  it('a 503 with a past Retry-After date retries with no extra wait', async () => {
    const url = `${server}/http/status/503/unit-past?retryAfter=${encodeURIComponent(new Date(0).toUTCString())}`
    const error = await failure(http({ url }, context({ now: () => 1_000_000 })))
    expect(error).toMatchObject({ code: 'HTTP_ERROR', retryable: true, retryAfterMs: 0, status: 503 })
  })

  it('refuses an answer that claims JSON and is not, without retrying', async () => {
    const access = {
      fetch: async () => new Response('{oops', { headers: { 'content-type': 'application/json' } }),
    }
    const error = await failure(http({ url: `${server}/x` }, context({}, access)))
    expect(error).toMatchObject({ code: 'HTTP_ERROR', retryable: false })
    expect(error.message).toContain('responseType')
  })

  it('refuses a header value no request can carry, without showing it', async () => {
    let calls = 0
    const access = {
      fetch: async () => {
        calls++
        return new Response('')
      },
    }
    const error = await failure(
      http({ url: `${server}/x`, headers: { 'x-key': 'hush\nhush' } }, context({}, access)),
    )
    expect(error).toMatchObject({ code: 'INPUT_INVALID' })
    expect(error.message).not.toContain('hush')
    expect(calls).toBe(0)
  })

  it('refuses a header that its secret makes unsendable, naming the header, never its value', async () => {
    let calls = 0
    const access = {
      fetch: async () => {
        calls++
        return new Response('')
      },
    }
    const vault = new SecretVault({ multi: 'hush\nhush', wide: 'hush ✓' })
    const cases = [
      ['x-key', secretReference('multi')],
      ['x-wide', `Bearer ${secretReference('wide')}`],
    ]
    for (const [name, value] of cases) {
      const error = await failure(
        http({ url: `${server}/x`, headers: { [name!]: value! } }, context({ secrets: vault }, access)),
      )
      expect(error).toMatchObject({ code: 'INPUT_INVALID', retryable: false })
      expect(error.message).toContain(`"${name}"`)
      expect(`${error.message} ${JSON.stringify(error.value)}`).not.toContain('hush')
    }
    expect(calls).toBe(0)
  })

  it('sends nothing when cancel lands while the secrets are filled in', async () => {
    const controller = new AbortController()
    let release: () => void = () => {}
    const gated: BuiltinSecrets = {
      get: (name) => secrets.get(name),
      redact: (text) => secrets.redact(text),
      reveal: async (value) => {
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return value
      },
    }
    let calls = 0
    const access = {
      fetch: async () => {
        calls++
        return new Response('')
      },
    }
    const run = http({ url: `${server}/x` }, context({ signal: controller.signal, secrets: gated }, access))
    await Promise.resolve()
    controller.abort(new TaskError('CANCELLED', 'cancelled'))
    release()
    const error = await failure(run)
    expect(error.code).toBe('CANCELLED')
    expect(calls).toBe(0)
  })

  it('sends nothing when the attempt is already aborted', async () => {
    const controller = new AbortController()
    controller.abort(new TaskError('CANCELLED', 'cancelled'))
    let calls = 0
    const access = {
      fetch: (_url: string, init: RequestInit) => {
        calls++
        return init.signal?.aborted ? Promise.reject(init.signal.reason) : Promise.resolve(new Response(''))
      },
    }
    const error = await failure(http({ url: `${server}/x` }, context({ signal: controller.signal }, access)))
    expect(error.code).toBe('CANCELLED')
    expect(calls).toBeLessThanOrEqual(1)
  })
})
