import { ArgumentError, WorkerUnavailableError } from 'spindle'
import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, it } from 'vitest'
import { deleteDatabase, tempDatabaseName } from '../store/temp-database'

const SECRET = 'abcd-secret-1234'

function thrownBy(call: () => unknown): Error {
  try {
    call()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected the call to throw')
}

describe('connectEngine: a refused option never carries a secret value', () => {
  const databases: string[] = []
  afterEach(async () => {
    for (const name of databases.splice(0)) await deleteDatabase(name)
  })

  it('options the default worker cannot take: the error holds them with each secret value blanked', () => {
    const error = thrownBy(() =>
      connectEngine(undefined, { engine: { secrets: { token: SECRET }, bogus: 1 } as never }),
    )
    expect(error).toBeInstanceOf(ArgumentError)
    expect(error.message).toContain('unknown field "bogus"')
    expect((error as ArgumentError).value).toEqual({ secrets: { token: '[secret]' }, bogus: 1 })
    expect(JSON.stringify(error)).not.toContain(SECRET)
  })

  it('secrets that are not an object of strings are blanked whole', () => {
    const error = thrownBy(() =>
      connectEngine(undefined, { engine: { secrets: [SECRET, new Date(0)], bogus: 1 } as never }),
    )
    expect(error).toBeInstanceOf(ArgumentError)
    expect(JSON.stringify(error)).not.toContain(SECRET)
  })

  it('engine options with a worker of the app: the error holds them with each secret value blanked', () => {
    const worker = { postMessage() {}, addEventListener() {} } as unknown as Worker
    const error = thrownBy(() => connectEngine(worker, { engine: { secrets: { token: SECRET } } }))
    expect(error).toBeInstanceOf(ArgumentError)
    expect((error as ArgumentError).value).toEqual({ secrets: { token: '[secret]' } })
    expect(JSON.stringify(error)).not.toContain(SECRET)
  })

  it('a model URL with a secret as its password fails the worker without saying the password', async () => {
    const name = tempDatabaseName('connect-secrets')
    databases.push(name)
    const engine = connectEngine(undefined, {
      engine: {
        store: { name },
        secrets: { token: SECRET },
        models: [
          {
            id: 'm',
            provider: 'openai-compatible',
            baseUrl: `https://user:${SECRET}@api.example.com/v1`,
            apiKey: 'token',
          },
        ],
      },
    })
    try {
      const error = (await engine.listDefinitions().catch((thrown: unknown) => thrown)) as Error
      expect(error).toBeInstanceOf(WorkerUnavailableError)
      expect(error.message).toContain('baseUrl')
      expect(JSON.stringify({ error, message: error.message })).not.toContain(SECRET)
    } finally {
      await engine.close()
    }
  })
})
