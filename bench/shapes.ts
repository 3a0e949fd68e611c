import type { WorkflowDefinition } from 'spindle'

/**
 * A task graph to benchmark. Tasks are numbered 0…size−1 in a topological order: every
 * dependency of task `i` is a task `j < i`.
 */
export interface Shape {
  readonly name: string
  readonly size: number
  /** `dependsOn[i]`: the tasks task `i` waits for. */
  readonly dependsOn: readonly (readonly number[])[]
}

/** A straight line: task `i` depends on task `i − 1`. */
export function chain(size: number): Shape {
  const dependsOn = Array.from({ length: size }, (_, i) => (i === 0 ? [] : [i - 1]))
  return { name: `chain-${size}`, size, dependsOn }
}

/** One root and `size − 1` children that all depend on it only: `size` tasks in all. */
export function fanOut(size: number): Shape {
  const dependsOn = Array.from({ length: size }, (_, i) => (i === 0 ? [] : [0]))
  return { name: `fan-out-${size}`, size, dependsOn }
}

/**
 * A random DAG: task `i` depends on 0–3 (uniformly) distinct earlier tasks, chosen uniformly.
 * The same seed gives the same graph.
 */
export function randomDag(size: number, seed: number): Shape {
  const random = mulberry32(seed)
  const dependsOn: number[][] = []
  for (let i = 0; i < size; i++) {
    const want = Math.min(i, Math.floor(random() * 4))
    const deps: number[] = []
    while (deps.length < want) {
      const j = Math.floor(random() * i)
      if (!deps.includes(j)) deps.push(j)
    }
    dependsOn.push(deps.sort((a, b) => a - b))
  }
  return { name: `random-dag-${size}`, size, dependsOn }
}

/** Dependency edges in the shape. */
export function edgeCount(shape: Shape): number {
  let edges = 0
  for (const deps of shape.dependsOn) edges += deps.length
  return edges
}

/** Tasks on the longest dependency path: the least number of sequential steps a runner needs. */
export function depth(shape: Shape): number {
  const level = new Int32Array(shape.size)
  let deepest = 0
  for (let i = 0; i < shape.size; i++) {
    let own = 1
    for (const j of shape.dependsOn[i]!) own = Math.max(own, level[j]! + 1)
    level[i] = own
    deepest = Math.max(deepest, own)
  }
  return deepest
}

/** The task id of task `i`: `t00042` (zero-padded so ids sort in task order). */
export function taskId(i: number): string {
  return `t${String(i).padStart(5, '0')}`
}

/**
 * The shape as a schemaVersion 2.0 definition of `noop` tasks, with a run concurrency of
 * `size` so that the limit never holds a ready task back.
 */
export function toDefinition(shape: Shape): WorkflowDefinition {
  const tasks: WorkflowDefinition['tasks'] = {}
  for (let i = 0; i < shape.size; i++) {
    const deps = shape.dependsOn[i]!
    tasks[taskId(i)] =
      deps.length === 0 ? { action: 'noop' } : { action: 'noop', dependsOn: deps.map(taskId) }
  }
  return {
    schemaVersion: '2.0',
    id: `bench-${shape.name}`,
    version: '1.0.0',
    concurrency: shape.size,
    tasks,
  }
}

/** Seeded PRNG (mulberry32): 32 bits of state, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
