import { createEngine, type Engine, indexedDbStore } from 'spindle'
import { describe, expect, it } from 'vitest'
import { commands } from 'vitest/browser'
import { type DatabaseDump, dumpDatabase, loadDump } from './database-dump'
import fixture from './fixtures/format-2.json'
import { deleteDatabase, tempDatabaseName } from './temp-database'

/**
 * A database written by this version, kept as a dump: every later version must read it and
 * carry its runs on. A change of the stored format adds a migration (engine.migrations) and a
 * new fixture; this one stays. Regenerate only a new fixture, never this one:
 * `VITE_WRITE_FIXTURE=1 npx vitest run test/store/format-fixture.test.ts`.
 */
const definitions = [
  {
    schemaVersion: '2.0',
    id: 'finished-flow',
    version: '1.0.0',
    params: { n: { type: 'number', required: true } },
    tasks: { double: { action: 'transform', params: { value: '${ input.n * 2 }' } } },
    output: 'tasks.double.output',
  },
  {
    schemaVersion: '2.0',
    id: 'paused-flow',
    version: '1.0.0',
    tasks: {
      a: { action: 'flaky', onError: 'pause' },
      b: { action: 'transform', dependsOn: ['a'], params: { value: '${ tasks.a.output }' } },
    },
    output: 'tasks.b.output',
  },
  {
    schemaVersion: '2.0',
    id: 'signal-flow',
    version: '1.0.0',
    tasks: {
      wait: { action: 'wait-for-event', params: { event: 'go' } },
      after: { action: 'transform', dependsOn: ['wait'], params: { value: '${ tasks.wait.output }' } },
    },
    output: 'tasks.after.output',
  },
  {
    schemaVersion: '2.0',
    id: 'approval-flow',
    version: '1.0.0',
    tasks: {
      ask: { action: 'approval', params: { title: 'Ship it?', levels: [{ approvers: ['alice'] }] } },
      ship: {
        action: 'transform',
        dependsOn: ['ask'],
        when: 'tasks.ask.output.approved',
        params: { value: 'shipped' },
      },
    },
    output: 'tasks.ship.output',
  },
  { name: 'Legacy steps', steps: [{ type: 'transform', name: 'Only', config: { value: 'legacy' } }] },
]

async function writeFixtureDatabase(name: string): Promise<void> {
  let fail = true
  const engine = createEngine({
    store: indexedDbStore({ name }),
    actions: {
      flaky: () => {
        if (fail) throw new Error('not yet')
        return 'ok'
      },
    },
  })
  try {
    for (const definition of definitions) await engine.register(definition)
    await engine.wait((await engine.start('finished-flow', { n: 21 }, { runId: 'finished' })).runId)
    await engine.wait((await engine.start('legacy-steps', {}, { runId: 'legacy' })).runId)
    await engine.start('paused-flow', {}, { runId: 'paused' })
    await engine.start('signal-flow', {}, { runId: 'waiting-signal' })
    await engine.start('approval-flow', {}, { runId: 'waiting-approval' })
    await engine.idle()
    fail = false
  } finally {
    await engine.close()
  }
}

async function openFixture(): Promise<{ engine: Engine; name: string }> {
  const name = tempDatabaseName('format-2')
  await loadDump(name, fixture as DatabaseDump)
  const engine = createEngine({ store: indexedDbStore({ name }), actions: { flaky: () => 'ok' } })
  return { engine, name }
}

describe('a database written in storage format 2', () => {
  it.runIf(import.meta.env.VITE_WRITE_FIXTURE === '1')('writes the fixture', async () => {
    const name = tempDatabaseName('write-fixture')
    try {
      await writeFixtureDatabase(name)
      await commands.writeFile(
        './fixtures/format-2.json',
        `${JSON.stringify(await dumpDatabase(name), null, 1)}\n`,
      )
    } finally {
      await deleteDatabase(name)
    }
  })

  it('opens, reads its finished runs and carries its paused and waiting runs to the end', async () => {
    const { engine, name } = await openFixture()
    try {
      expect(await engine.migrations.status()).toEqual({
        formatVersion: 2,
        definitions: { current: 5, outdated: 0 },
        runs: { current: 5, outdated: 0 },
      })
      expect(await engine.getRun('finished')).toMatchObject({ status: 'completed', output: 42 })
      expect(await engine.getRun('legacy')).toMatchObject({ status: 'completed', output: { only: 'legacy' } })
      expect((await engine.listDefinitions()).find((d) => d.id === 'legacy-steps')).toMatchObject({
        migratedFrom: '1.0',
      })
      expect((await engine.history('finished')).map((e) => e.type)).toContain('workflow.completed')

      expect(await engine.getRun('paused')).toMatchObject({ status: 'paused' })
      await engine.resume('paused')
      expect(await engine.wait('paused')).toMatchObject({ status: 'completed', output: 'ok' })

      await engine.signal('waiting-signal', 'go', { at: 'fixture' })
      expect(await engine.wait('waiting-signal')).toMatchObject({
        status: 'completed',
        output: { at: 'fixture' },
      })

      expect((await engine.listApprovals()).map((a) => a.runId)).toEqual(['waiting-approval'])
      await engine.approve('waiting-approval', 'ask', { by: 'alice' })
      expect(await engine.wait('waiting-approval')).toMatchObject({ status: 'completed', output: 'shipped' })

      await engine.register(definitions[0]!)
      expect(await engine.wait((await engine.start('finished-flow', { n: 1 })).runId)).toMatchObject({
        output: 2,
      })
    } finally {
      await engine.close()
      await deleteDatabase(name)
    }
  })
})
