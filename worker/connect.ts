import { share } from 'rxjs'
import { approvalFeed } from '../src/core/approval-feed'
import { ArgumentError } from '../src/errors'
import type { Engine, Migrations } from '../src/index'
import { requestStoragePersistence } from '../src/storage-persistence'
import { Connection } from './connection'
import {
  checkDefaultWorkerOptions,
  type DefaultWorkerOptions,
  secretsBlanked,
} from './default-worker-options'
import { trackConnection } from './instrumentation'
import { offerPageLanguageModel } from './on-device-bridge'
import { PageMonitor } from './page-monitor'
import { PageValidator } from './page-validator'
import { FORWARDED_METHODS, type ForwardedMethod, MIGRATION_CALLS } from './protocol'
import { startDefaultWorker } from './start-default-worker'

export interface ConnectOptions {
  /**
   * How long the worker may take to answer its first call (its module loaded, `serveEngine`
   * called) before every call rejects with `WorkerUnavailableError`. Default: 10,000 ms.
   */
  startTimeoutMs?: number
  /**
   * Whom the connection's calls are made as (the worker serves them from `engine.as(principal)`):
   * `authorize` is asked for it, and its control events carry `by: principal`. Fixed for the
   * connection; `as(other)` opens another connection to the same worker.
   */
  principal?: string
  /**
   * The default worker's engine options, plain JSON only (`connectEngine()` without a worker):
   * the allowed origins of `http`, secrets, limits, the database name… A function, a class
   * instance or an unknown field is an `ArgumentError` here; a value its engine refuses fails
   * the worker (`WorkerUnavailableError` naming the problem). Refused with a worker of the app's
   * own, whose engine the app makes.
   *
   * @example
   * const engine = connectEngine(undefined, { engine: { http: { allow: ['https://api.example.com'] } } })
   */
  engine?: DefaultWorkerOptions
}

const DEFAULT_START_TIMEOUT_MS = 10_000
/** The largest delay `setTimeout` honours; longer ones fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * Connects to an engine served in a Web Worker by `serveEngine` and returns the same `Engine`
 * interface as `createEngine`. Every call goes to the worker; results are plain data and errors
 * keep their class and `code`. `events$` holds one worker subscription however many subscribers
 * the page has, and `progress$`, `health$` and `alerts$` are computed on the page from it.
 * `approvals$` is too: the worker's `listApprovals` read again after the events that change the
 * inbox, which include other tabs' (the workers mirror their events to each other). A bad
 * filter fails it with the worker's `ArgumentError`, on subscribing.
 *
 * When the page has Chrome's built-in model (`LanguageModel`), which workers lack, the connection
 * offers it to the worker's engine for `ai` models of provider 'chrome-built-in' while it is open.
 *
 * Without `worker`, starts the default worker (the built-in actions, an IndexedDB store), which
 * `close()` terminates; a worker passed in is left running (its engine is closed).
 *
 * A worker that fails to load, does not call `serveEngine` within `options.startTimeoutMs`, or
 * ends later (an `error` event, terminated) rejects every call with `WorkerUnavailableError`.
 *
 * @example
 * import { connectEngine } from 'spindle/client'
 *
 * const engine = connectEngine()
 * await engine.register(definition)
 * const run = await engine.start('order-pipeline', { orderId: 'A-17' })
 * engine.progress$(run.runId).subscribe((p) => console.log(`${p.percent}%`))
 */
export function connectEngine(worker?: Worker, options: ConnectOptions = {}): Engine {
  return connect(worker, options, new Map())
}

/**
 * `connectEngine`, one of a family of connections to one worker: `family` holds its members by
 * principal, so `as(p)` hands out the one connection of `p` however often it is asked for.
 */
function connect(worker: Worker | undefined, options: ConnectOptions, family: Map<string, Engine>): Engine {
  const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
  if (typeof startTimeoutMs !== 'number' || !(startTimeoutMs > 0) || startTimeoutMs > MAX_TIMEOUT_MS) {
    throw new ArgumentError(
      `connectEngine: startTimeoutMs must be a number of milliseconds above 0 and at most ${MAX_TIMEOUT_MS}, ` +
        `got ${String(startTimeoutMs)}. Leave it out for ${DEFAULT_START_TIMEOUT_MS} ms.`,
      { value: startTimeoutMs },
    )
  }
  const { principal } = options
  if (
    principal !== undefined &&
    (typeof principal !== 'string' || principal === '' || principal.length > 200)
  ) {
    throw new ArgumentError(
      `connectEngine: principal must be a non-empty string of at most 200 characters, got ${JSON.stringify(principal) ?? String(principal)}. ` +
        'Leave it out to make calls without a principal.',
      { value: principal },
    )
  }
  if (options.engine !== undefined) {
    if (worker !== undefined) {
      throw new ArgumentError(
        'connectEngine: "engine" options are for the default worker only; a worker of your own makes its engine ' +
          'with createEngine(options): set them there, or leave out the worker to use the default one.',
        { value: secretsBlanked(options.engine) },
      )
    }
    checkDefaultWorkerOptions(options.engine)
  }
  const validator = new PageValidator()
  const served = worker ?? startDefaultWorker(options.engine)
  const connection = new Connection(served, worker === undefined, {
    startTimeoutMs,
    preload: () => validator.load(),
    ...(principal !== undefined && { principal }),
    languageModel: offerPageLanguageModel(),
  })
  const forwarded = {} as Pick<Engine, ForwardedMethod>
  for (const method of FORWARDED_METHODS) {
    Object.assign(forwarded, { [method]: (...args: unknown[]) => connection.call(method, args) })
  }
  const migrations = Object.fromEntries(
    MIGRATION_CALLS.map((name) => [
      name,
      (...args: unknown[]) => connection.call(`migrations.${name}`, args),
    ]),
  ) as unknown as Migrations
  const events$ = connection.events().pipe(share())
  const monitor = new PageMonitor({
    events$,
    runSnapshot: forwarded.runSnapshot,
    listRuns: forwarded.listRuns,
  })
  const engine: Engine = {
    ...forwarded,
    migrations,
    // Known once the worker has described its engine (right after connecting).
    get storeName() {
      return connection.description?.storeName ?? ''
    },
    get actionNames() {
      return connection.description?.actionNames ?? []
    },
    validate: (definition) => validator.validate(definition, connection.description, connection.unavailable),
    events$,
    progress$: (runId) => monitor.progress$(runId),
    health$: (runId) => monitor.health$(runId),
    alerts$: monitor.alerts$,
    approvals$: (filter) => approvalFeed(events$, () => forwarded.listApprovals(filter)),
    close: () => connection.close(),
    // navigator.storage.persist() is for pages only: asked here, never forwarded to the worker.
    requestPersistence: () => requestStoragePersistence(),
    // The worker holds a connection's principal: acting as another takes a connection of its
    // own, one per principal in the family (each `as` would otherwise open another channel).
    as: (other) => {
      const known = typeof other === 'string' ? family.get(other) : undefined
      if (known) return known
      const made = connect(served, { startTimeoutMs, principal: other }, family)
      family.set(other, made)
      return made
    },
  }
  if (principal !== undefined) family.set(principal, engine)
  trackConnection(engine, connection)
  return engine
}
