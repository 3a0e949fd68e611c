import type { Shape } from './shapes'

/** A shape prepared for the baseline runner: child lists and in-degrees, built once per shape. */
export interface BaselineGraph {
  readonly size: number
  readonly children: readonly (readonly number[])[]
  readonly inDegree: Int32Array
}

export function prepareBaseline(shape: Shape): BaselineGraph {
  const children: number[][] = Array.from({ length: shape.size }, () => [])
  const inDegree = new Int32Array(shape.size)
  shape.dependsOn.forEach((deps, i) => {
    inDegree[i] = deps.length
    for (const j of deps) children[j]!.push(i)
  })
  return { size: shape.size, children, inDegree }
}

/**
 * The baseline: a hand-written Promise-based topological runner. Each task has a counter of
 * unfinished dependencies; a task starts (an async no-op) as soon as its counter reaches 0, with
 * no concurrency limit. Resolves when every task has finished.
 */
export function runBaseline(graph: BaselineGraph): Promise<void> {
  const waiting = graph.inDegree.slice()
  let left = graph.size
  return new Promise((resolve, reject) => {
    if (left === 0) {
      resolve()
      return
    }
    const start = (task: number): void => {
      noop().then(() => {
        for (const child of graph.children[task]!) {
          if (--waiting[child]! === 0) start(child)
        }
        if (--left === 0) resolve()
      }, reject)
    }
    for (let i = 0; i < graph.size; i++) if (waiting[i] === 0) start(i)
  })
}

async function noop(): Promise<undefined> {
  return undefined
}
