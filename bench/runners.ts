import { prepareBaseline, runBaseline } from './baseline'
import { prepareEngine, runEngine, type Spindle } from './engine-run'
import { type Shape, toDefinition } from './shapes'
import { runXStateFloor } from './xstate-floor'

/**
 * The runners the core benchmark compares, in the order they run on each shape:
 * - `baseline`: a bare Promise runner (bench/baseline.ts), the floor of any JavaScript runner;
 * - `xstate`: one XState actor per run fed by plain promises (bench/xstate-floor.ts), the floor
 *   of the engine's design;
 * - `asl`: aws-local-stepfunctions (bench/asl-reference.ts), a peer, on chains and fan-outs only;
 * - `engine`: Spindle's production build on a memory store (bench/engine-run.ts).
 */
export const RUNNER_NAMES = ['baseline', 'xstate', 'asl', 'engine'] as const
export type RunnerName = (typeof RUNNER_NAMES)[number]

/**
 * A runner prepared for one shape. `once` is one run. With `fresh`, each repetition gets its own
 * instance (made and released outside the timing), as the engine does; without it a repetition
 * times runs back to back on the same set-up.
 */
export interface PreparedRunner<T = unknown> {
  once: (instance: T) => Promise<unknown>
  fresh?: { make: () => Promise<T>; release: (instance: T) => Promise<unknown> }
}

/** What a runner needs that the page or process loads: the `spindle` module for the engine. */
export interface RunnerModules {
  spindle?: Spindle
}

/**
 * Sets a runner up for a shape (outside any timing: graph preparation, ASL validation, engine
 * `register`). Undefined when the runner cannot take the shape (ASL on a random DAG) or its
 * module is missing. ASL is loaded on demand, so a page or process that does not use it never
 * loads it.
 */
export async function prepareRunner(
  name: RunnerName,
  shape: Shape,
  modules: RunnerModules,
): Promise<PreparedRunner<any> | undefined> {
  switch (name) {
    case 'baseline': {
      const graph = prepareBaseline(shape)
      return { once: () => runBaseline(graph) }
    }
    case 'xstate': {
      const graph = prepareBaseline(shape)
      return { once: () => runXStateFloor(graph) }
    }
    case 'asl': {
      if (!runnerTakes(name, shape)) return undefined
      const asl = await import('./asl-reference')
      const prepared = asl.prepareAsl(shape)
      return prepared && { once: () => asl.runAsl(prepared) }
    }
    case 'engine': {
      const spindle = modules.spindle
      if (spindle === undefined) return undefined
      const definition = toDefinition(shape)
      return {
        once: (engine) => runEngine(engine, definition.id),
        fresh: { make: () => prepareEngine(spindle, definition), release: (engine) => engine.close() },
      }
    }
  }
}

/** Whether a runner takes a shape at all (ASL only takes chains and fan-outs). */
export function runnerTakes(name: RunnerName, shape: Shape): boolean {
  return name !== 'asl' || shape.name.startsWith('chain-') || shape.name.startsWith('fan-out-')
}
