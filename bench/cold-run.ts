import { coreShapes } from './core-suite'
import { prepareRunner, type RunnerModules, type RunnerName } from './runners'

/**
 * The cold figure: the first run of one runner on one shape in a fresh page or a fresh Node
 * process, before anything has been compiled, optimized or cached in this JavaScript heap. The
 * caller (bench/run.mjs) opens a new page in a new browser context, or starts a new process, for
 * each one.
 */
export interface ColdResult {
  runner: RunnerName
  shape: string
  tasks: number
  /** Set-up before the run (graph preparation, ASL validation, engine creation and `register`), ms. */
  prepareMs: number
  /** The first run, ms. */
  firstRunMs: number
}

/** Prepares the runner on the shape and times its first run. */
export async function coldRun(
  runner: RunnerName,
  shapeName: string,
  seed: number,
  modules: RunnerModules,
): Promise<ColdResult> {
  const shape = coreShapes(seed).find((s) => s.name === shapeName)
  if (shape === undefined) throw new Error(`cold run: no shape ${JSON.stringify(shapeName)}.`)
  const beginPrepare = performance.now()
  const prepared = await prepareRunner(runner, shape, modules)
  if (prepared === undefined) throw new Error(`cold run: ${runner} does not take ${shapeName}.`)
  const instance = await prepared.fresh?.make()
  const prepareMs = performance.now() - beginPrepare
  const begin = performance.now()
  await prepared.once(instance)
  const firstRunMs = performance.now() - begin
  await prepared.fresh?.release(instance)
  return { runner, shape: shapeName, tasks: shape.size, prepareMs, firstRunMs }
}
