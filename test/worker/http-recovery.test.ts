import { connectEngine } from 'spindle/client'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { deleteDatabase, tempDatabaseName } from '../store/temp-database'
import { until } from '../support/engine-fixtures'

const server = inject('testServer')

async function seen(
  key: string,
): Promise<{ requests: { method: string; idempotencyKey?: string }[]; closed: number }> {
  return (await fetch(`${server}/http/seen/${key}`)).json()
}

describe('http in the default worker, across its end', () => {
  const databases: string[] = []
  afterEach(async () => {
    for (const name of databases.splice(0)) await deleteDatabase(name)
  })

  it('a POST cut off by close() is sent again on recovery with the same Idempotency-Key', async () => {
    const name = tempDatabaseName('http-recovery')
    databases.push(name)
    const key = `r${crypto.randomUUID()}`
    const engine = { store: { name }, http: { allow: [server] } }
    const first = connectEngine(undefined, { engine })
    await first.register({
      schemaVersion: '2.0',
      id: 'pay',
      version: '1.0.0',
      tasks: {
        charge: {
          action: 'http',
          params: { url: `${server}/http/hang-once/${key}`, method: 'POST', json: {} },
        },
      },
    })
    const { runId } = await first.start('pay')
    await until(async () => (await seen(key)).requests.some((r) => r.method === 'POST'))
    await first.close()
    await until(async () => (await seen(key)).closed === 1)

    const second = connectEngine(undefined, { engine })
    try {
      const view = await second.wait(runId, { timeoutMs: 5000 })
      expect(view.status).toBe('completed')
      expect(view.tasks.charge).toMatchObject({ attempts: 2, output: { status: 200 } })
      const posts = (await seen(key)).requests.filter((r) => r.method === 'POST')
      expect(posts.map((r) => r.idempotencyKey)).toEqual([`${runId}:charge`, `${runId}:charge`])
    } finally {
      await second.close()
    }
  })
})
