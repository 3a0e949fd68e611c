import type { Engine } from './engine-types'

/**
 * `engine` with the calls in `acting` replaced: what `engine.as(principal)` returns, the calls
 * that change something made as the principal, everything else (reads, streams, `close`) the
 * engine's own. A proxy rather than a copy of each member, so that a member added to `Engine`
 * later is there too, read from the engine itself.
 */
export function actingEngine(engine: Engine, acting: Partial<Engine>): Engine {
  return new Proxy(engine, {
    get(target, key) {
      if (Object.hasOwn(acting, key)) return acting[key as keyof Engine]
      // Read off the engine itself, not the proxy: its getters and methods use private fields.
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
    // Nothing is set on the acting view: it would land on the engine every view shares.
    set: () => false,
  })
}
