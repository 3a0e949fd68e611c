import type { EventScope } from '../definition/event-expression'
import { ArgumentError, NotFoundError } from '../errors'
import type { EmittedEvent, RouteInfo, RunInfo } from '../types'
import { checkId } from './engine-arguments'
import { type CompiledRoute, compileRoute } from './route-spec'
import { type RunStartContext, startRun } from './run-start'

/** One route's run for one event, computed before anything starts. */
interface PlannedStart {
  route: CompiledRoute
  input: Record<string, unknown>
  /** The event id or dedupe key value; absent: the event is never deduplicated on this route. */
  key?: string
}

/**
 * The engine's event routes (`route`, `unroute`, `listRoutes`, `emit`). An emit evaluates every
 * matching route first (`when`, `input`, `dedupeKey`): a failing expression throws and starts
 * nothing. Then it starts the planned runs.
 *
 * Deduplication: a run started for a key has the id `route:<routeId>:<key>`, the same in every
 * tab, so two tabs emitting one event at once start it once (the second start finds the id taken).
 * A key seen again after its window starts a run with the id `route:<routeId>:<key>:<at>`; this
 * engine remembers the last start per key, so repeats within that window start nothing either.
 */
export class EventRoutes {
  readonly #ctx: RunStartContext
  readonly #routes = new Map<string, CompiledRoute>()
  /** The time of the last run started (or found started) per `routeId\0key`. */
  readonly #seen = new Map<string, number>()

  constructor(ctx: RunStartContext) {
    this.#ctx = ctx
  }

  /** See `Engine.route`. A spec with an id already routed replaces that route. */
  async route(spec: unknown): Promise<RouteInfo> {
    const { scope, definitions, now } = this.#ctx
    scope.check()
    const given = (spec as { id?: unknown } | null)?.id
    const id = typeof given === 'string' ? given : `route-${crypto.randomUUID()}`
    const route = compileRoute(spec, id, now())
    // A route to a workflow that does not exist would fail at every emit; refuse it now.
    await scope.run(() => definitions.forStart(route.spec.workflow, route.spec.version))
    scope.check()
    this.#routes.set(id, route)
    return infoOf(route)
  }

  /** See `Engine.unroute`. */
  async unroute(id: unknown): Promise<void> {
    this.#ctx.scope.check()
    checkId('unroute: id', id)
    if (!this.#routes.delete(id)) {
      throw new NotFoundError(`unroute: there is no route "${id}"; listRoutes() names the routes.`, {
        value: id,
      })
    }
    for (const mark of this.#seen.keys()) if (mark.startsWith(`${id}\u0000`)) this.#seen.delete(mark)
  }

  /** See `Engine.listRoutes`. */
  async listRoutes(): Promise<RouteInfo[]> {
    this.#ctx.scope.check()
    return [...this.#routes.values()].map(infoOf)
  }

  /** See `Engine.emit`. */
  async emit(event: unknown): Promise<RunInfo[]> {
    this.#ctx.scope.check()
    const checked = checkEvent(event)
    const planned = [...this.#routes.values()]
      .filter((route) => route.matches(checked.type))
      .flatMap((route) => plan(route, checked))
    const started: RunInfo[] = []
    let failure: unknown
    for (const start of planned) {
      try {
        const run = await this.#start(start)
        if (run) started.push(run)
      } catch (error) {
        // The other routes' runs still start: one route's bad input is not the others' failure.
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
    return started
  }

  async #start({ route, input, key }: PlannedStart): Promise<RunInfo | undefined> {
    const { scope, store, now } = this.#ctx
    const options = route.spec.version === undefined ? {} : { version: route.spec.version }
    if (key === undefined) return scope.run(() => startRun(this.#ctx, route.spec.workflow, input, options))
    const at = now()
    const mark = `${route.id}\u0000${key}`
    const last = this.#seen.get(mark)
    if (last !== undefined && at - last < route.windowMs) return undefined
    const base = `route:${route.id}:${await runIdPart(key)}`
    const earlier = await scope.run(() => store.getRun(base))
    if (earlier && at - earlier.createdAt < route.windowMs) {
      this.#seen.set(mark, earlier.createdAt)
      return undefined
    }
    const runId = earlier ? `${base}:${at}` : base
    try {
      const run = await scope.run(() =>
        startRun(this.#ctx, route.spec.workflow, input, { ...options, runId }),
      )
      this.#seen.set(mark, at)
      return run
    } catch (error) {
      // Another engine (another tab) started this very run a moment ago: the event is a repeat.
      if (error instanceof ArgumentError && error.value === runId) {
        this.#seen.set(mark, at)
        return undefined
      }
      throw error
    }
  }
}

/** `key` as a run id part: itself when short, else its SHA-256 (a run id has at most 200 characters). */
async function runIdPart(key: string): Promise<string> {
  if (key.length <= 100) return key
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
  return `sha256-${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

function infoOf(route: CompiledRoute): RouteInfo {
  return { id: route.id, spec: structuredClone(route.spec), createdAt: route.createdAt }
}

function plan(route: CompiledRoute, event: EventScope): PlannedStart[] {
  if (route.when && route.when.evaluate(event) !== true) return []
  const input = route.input(event)
  const value = route.dedupeKey ? route.dedupeKey.evaluate(event) : event.id
  if (value === undefined || value === null) return [{ route, input }]
  const key = typeof value === 'string' ? value : JSON.stringify(value)
  return [{ route, input, key }]
}

function checkEvent(event: unknown): EventScope {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ArgumentError(
      `emit: the event must be an object like { type, data, id? }; got ${String(event)}.`,
      {
        value: event,
      },
    )
  }
  const { type, data, id } = event as EmittedEvent
  checkId('emit: event.type', type)
  if (id !== undefined) checkId('emit: event.id', id)
  let copy: unknown
  try {
    copy = data === undefined ? null : JSON.parse(JSON.stringify(data))
  } catch (error) {
    throw new ArgumentError(`emit: event.data must be plain JSON; ${String(error)}.`, {
      value: data,
      cause: error,
    })
  }
  return id === undefined ? { type, data: copy } : { type, data: copy, id }
}
