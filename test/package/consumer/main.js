// A page of an app built on the published package: the default worker, an own worker, and the
// names of errors after the app's minifier ran. It reports on window.spindleResults.
import { ArgumentError, definitionSchema, WorkerUnavailableError } from 'spindle'
import { connectEngine } from 'spindle/client'
import schemaFile from 'spindle/schema.json'

const definition = (id, tasks, output) => ({ schemaVersion: '2.0', id, version: '1.0.0', tasks, output })

async function defaultWorker() {
  const engine = connectEngine()
  try {
    await engine.register(
      definition(
        'builtin',
        {
          first: { action: 'noop' },
          sum: { action: 'transform', dependsOn: ['first'], params: { value: '${ 41 + 1 }' } },
        },
        'tasks.sum.output',
      ),
    )
    const run = await engine.start('builtin')
    const done = await engine.wait(run.runId, { timeoutMs: 10_000 })
    await engine.register('name: From YAML\nsteps:\n  - type: transform\n    config: { value: 7 }\n')
    const yaml = await engine.wait((await engine.start('from-yaml')).runId, { timeoutMs: 10_000 })
    return {
      status: done.status,
      output: done.output,
      actions: engine.actionNames.includes('transform'),
      yaml: yaml.tasks.transform.output,
    }
  } finally {
    await engine.close()
  }
}

async function ownWorker() {
  const engine = connectEngine(new Worker(new URL('./own.worker.js', import.meta.url), { type: 'module' }))
  try {
    await engine.register(
      definition('own', { twice: { action: 'double', params: { value: 21 } } }, 'tasks.twice.output'),
    )
    const run = await engine.start('own')
    const done = await engine.wait(run.runId, { timeoutMs: 10_000 })
    const refused = await engine.register({ id: 'Bad Id' }).catch((error) => error)
    return {
      status: done.status,
      output: done.output,
      validate: engine.validate(definition('v', { a: { action: 'send-mail' } })).issues.map((i) => i.code),
      refused: { name: refused.name, code: refused.code },
    }
  } finally {
    await engine.close()
  }
}

function names() {
  let thrown
  try {
    connectEngine(undefined, { startTimeoutMs: -1 })
  } catch (error) {
    thrown = error
  }
  return {
    argument: thrown instanceof ArgumentError ? thrown.name : String(thrown),
    unavailable: new WorkerUnavailableError('x').name,
  }
}

async function main() {
  const results = {
    names: names(),
    schema: {
      title: schemaFile.title,
      sameAsExport: JSON.stringify(schemaFile) === JSON.stringify(definitionSchema),
    },
  }
  results.defaultWorker = await defaultWorker()
  results.ownWorker = await ownWorker()
  return results
}

main().then(
  (results) => {
    window.spindleResults = results
    document.getElementById('report').textContent = JSON.stringify(results, null, 2)
  },
  (error) => {
    window.spindleResults = { error: `${error.name}: ${error.message}` }
  },
)
