import { share } from 'rxjs'
import type { Engine } from '../src/types'
import { Connection } from './connection'
import { trackConnection } from './instrumentation'
import { PageMonitor } from './page-monitor'
import { FORWARDED_METHODS, type ForwardedMethod } from './protocol'
import { validateOnPage } from './validate-on-page'

/**
 * Connects to an engine served in a Web Worker by `serveEngine` and returns the same `Engine`
 * interface as `createEngine`. Every call goes to the worker; results are plain data and errors
 * keep their class and `code`. `events$` holds one worker subscription however many subscribers
 * the page has, and `progress$`, `health$` and `alerts$` are computed on the page from it.
 *
 * Without `worker`, starts the default worker (the built-in actions, an IndexedDB store), which
 * `close()` terminates; a worker passed in is left running (its engine is closed).
 *
 * @example
 * import { connectEngine } from 'spindle/client'
 *
 * const engine = connectEngine()
 * await engine.register(definition)
 * const run = await engine.start('order-pipeline', { orderId: 'A-17' })
 * engine.progress$(run.runId).subscribe((p) => console.log(`${p.percent}%`))
 */
export function connectEngine(worker?: Worker): Engine {
  const connection = new Connection(
    worker ?? new Worker(new URL('./default.worker.ts', import.meta.url), { type: 'module' }),
    worker === undefined,
  )
  const forwarded = {} as Pick<Engine, ForwardedMethod>
  for (const method of FORWARDED_METHODS) {
    Object.assign(forwarded, { [method]: (...args: unknown[]) => connection.call(method, args) })
  }
  const events$ = connection.events().pipe(share())
  const monitor = new PageMonitor({
    events$,
    runSnapshot: forwarded.runSnapshot,
    listRuns: forwarded.listRuns,
  })
  const engine: Engine = {
    ...forwarded,
    // Known once the worker has described its engine (right after connecting).
    get storeName() {
      return connection.description?.storeName ?? ''
    },
    get actionNames() {
      return connection.description?.actionNames ?? []
    },
    validate: (definition) => validateOnPage(definition, connection.description?.actionNames),
    events$,
    progress$: (runId) => monitor.progress$(runId),
    health$: (runId) => monitor.health$(runId),
    alerts$: monitor.alerts$,
    close: () => connection.close(),
  }
  trackConnection(engine, connection)
  return engine
}
