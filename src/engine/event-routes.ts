import type { EventScope } from '../definition/event-expression'
import { ArgumentError, NotFoundError } from '../errors'
import { isPlainJson } from '../runtime/cache-key'
import type { EmittedEvent, RouteInfo, RunInfo } from '../types'
import { checkId } from './engine-arguments'
import type { EventWaits } from './event-waits'
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
 * Routes and dedupe marks live in the store, so every tab sees them and a reload keeps them.
 * Deduplication: the n-th run started for a key has the id `route:<routeId>:<key>` (then
 * `…:<n>`), the same in every tab, so two tabs emitting one event at once start it once (the second
 * start finds the id taken). The key's mark (`EmittedRecord`) says when its last run started; the
 * key starts nothing again within the route's window after that.
 */
export class EventRoutes {
  readonly #ctx: RunStartContext
  /** Compiled routes by id, kept while the stored route has the same `createdAt`. */
  readonly #compiled = new Map<string, CompiledRoute>()
  readonly #waits: Pick<EventWaits, 'log' | 'offerLogged'>

  /** `waits`: where every emitted event goes too, for the `wait-for-event` tasks with a `match`. */
  constructor(ctx: RunStartContext, waits: Pick<EventWaits, 'log' | 'offerLogged'>) {
    this.#ctx = ctx
    this.#waits = waits
  }

  /**
   * See `Engine.route`. A spec with an id already routed replaces that route. `acting`: the
   * calling principal, asked of `authorize` (verb `route`).
   */
  async route(spec: unknown, acting: string | undefined): Promise<RouteInfo> {
    const { scope, definitions, store, access, now } = this.#ctx
    scope.check()
    const given = (spec as { id?: unknown } | null)?.id
    const id = typeof given === 'string' ? given : `route-${crypto.randomUUID()}`
    const route = compileRoute(spec, id, now())
    if (access.asks) {
      await access.check({ principal: acting, verb: 'route', definitionId: route.spec.workflow })
      scope.check()
    }
    // A route to a workflow that does not exist would fail at every emit; refuse it now.
    await scope.run(() => definitions.forStart(route.spec.workflow, route.spec.version))
    scope.check()
    await scope.run(() => store.putRoute({ routeId: id, spec: route.spec, createdAt: route.createdAt }))
    this.#compiled.set(id, route)
    return infoOf(route)
  }

  /** See `Engine.unroute`; `acting` as for `route` (verb `unroute`). */
  async unroute(id: unknown, acting: string | undefined): Promise<void> {
    const { scope, store, access } = this.#ctx
    scope.check()
    checkId('unroute: id', id)
    if (access.asks) {
      await access.check({ principal: acting, verb: 'unroute' })
      scope.check()
    }
    this.#compiled.delete(id)
    if (!(await scope.run(() => store.deleteRoute(id)))) {
      throw new NotFoundError(`unroute: there is no route "${id}"; listRoutes() names the routes.`, {
        value: id,
      })
    }
  }

  /** See `Engine.listRoutes`. */
  async listRoutes(): Promise<RouteInfo[]> {
    return (await this.#routes()).map(infoOf)
  }

  /**
   * See `Engine.emit`. `acting`: the calling principal; each run is a `start` it is asked of
   * `authorize` for, and belongs to it. The event is logged and delivered to the waiting runs
   * (`EventWaits.emit`) after the routes' expressions were evaluated, before their runs start.
   */
  async emit(event: unknown, acting: string | undefined): Promise<RunInfo[]> {
    this.#ctx.scope.check()
    const checked = checkEvent(event)
    const planned = (await this.#routes())
      .filter((route) => route.matches(checked.type))
      .flatMap((route) => plan(route, checked))
    const started: RunInfo[] = []
    let failure: unknown
    // Logged and offered to the waiting runs whether a route matches or not. An event the log
    // could not take (the disk full, the engine closing) starts nothing: emitting it again is safe.
    const logged = await this.#waits.log(checked)
    try {
      await this.#waits.offerLogged(logged)
    } catch (error) {
      // The event is logged and pending: the leader delivers it again; the routes' runs still start.
      failure = error
    }
    for (const start of planned) {
      try {
        const run = await this.#start(start, acting)
        if (run) started.push(run)
      } catch (error) {
        // The other routes' runs still start: one route's bad input is not the others' failure.
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
    return started
  }

  /** The stored routes (another tab may have added some), compiled once per version. */
  async #routes(): Promise<CompiledRoute[]> {
    const { scope, store } = this.#ctx
    scope.check()
    const records = await scope.run(() => store.listRoutes())
    return records.map((record) => {
      const known = this.#compiled.get(record.routeId)
      if (known && known.createdAt === record.createdAt) return known
      const route = compileRoute(record.spec, record.routeId, record.createdAt)
      this.#compiled.set(record.routeId, route)
      return route
    })
  }

  async #start(
    { route, input, key }: PlannedStart,
    acting: string | undefined,
  ): Promise<RunInfo | undefined> {
    const { scope, store, now } = this.#ctx
    const options = route.spec.version === undefined ? {} : { version: route.spec.version }
    if (key === undefined)
      return scope.run(() => startRun(this.#ctx, route.spec.workflow, input, options, acting))
    const at = now()
    const mark = `${route.id}\u0000${key}`
    const base = `route:${route.id}:${key.length <= 100 ? key : `sha256-${await sha256(key)}`}`
    let last = await scope.run(() => store.getEmitted(mark))
    // Each turn either starts a run or learns of a later one: a taken id raises the generation.
    for (;;) {
      if (last && at - last.at < route.windowMs) return undefined
      const generation = last ? last.generation + 1 : 0
      const runId = await routeRunId(base, route.id, key, generation)
      try {
        const run = await scope.run(() =>
          startRun(this.#ctx, route.spec.workflow, input, { ...options, runId }, acting),
        )
        await scope.run(() => store.putEmitted({ mark, routeId: route.id, generation, runId, at }))
        return run
      } catch (error) {
        if (!(error instanceof ArgumentError && error.value === runId)) throw error
        // Another tab started this very run (or this engine did, and stopped before its mark
        // was written): its start time is the mark.
        const taken = await scope.run(() => store.getRun(runId))
        last = { mark, routeId: route.id, generation, runId, at: taken?.createdAt ?? at }
        await scope.run(() => store.putEmitted(last!))
      }
    }
  }
}

/**
 * The id of a key's `generation`-th run: `base` (then `base:<n>`), or, when that is over the 200
 * characters a run id may have (a long route id), `route~<SHA-256 of route id and key>` (then
 * `…:<n>`), which no `route:` id can be.
 */
async function routeRunId(base: string, routeId: string, key: string, generation: number): Promise<string> {
  const suffix = generation === 0 ? '' : `:${generation}`
  if (base.length + suffix.length <= 200) return `${base}${suffix}`
  return `route~${await sha256(`${routeId}\u0000${key}`)}${suffix}`
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
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
  // JSON.stringify changes what it cannot write (a Map, NaN, a Date, a function) without failing:
  // the runs and the waits would see another value than the one emitted.
  if (data !== undefined && !isPlainJson(data)) {
    throw new ArgumentError(
      'emit: event.data must be plain JSON (objects, arrays, strings, finite numbers, booleans, null); ' +
        'convert Maps, Dates, bytes, NaN and the like, and drop undefined fields and functions.',
      { value: data },
    )
  }
  return id === undefined ? { type, data: copy } : { type, data: copy, id }
}
