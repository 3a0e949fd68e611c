import type { ValidationIssue } from '../errors'
import { issueAt, listNames, show } from './issue-path'

/** The task dependency graph by index: `deps[i]` are the tasks task `i` depends on. */
export interface TaskGraph {
  /** Task ids in definition order. */
  readonly ids: readonly string[]
  readonly indexOf: ReadonlyMap<string, number>
  readonly deps: readonly (readonly number[])[]
  readonly children: readonly (readonly number[])[]
}

/**
 * Builds the graph from `tasks`, reporting unknown, duplicate and self dependencies (which are
 * left out of the graph). Entries that are not strings are skipped: the schema reports them.
 */
export function buildGraph(tasks: Record<string, { dependsOn?: unknown }>): {
  graph: TaskGraph
  issues: ValidationIssue[]
} {
  const ids = Object.keys(tasks)
  const indexOf = new Map(ids.map((id, i) => [id, i]))
  const deps: number[][] = ids.map(() => [])
  const children: number[][] = ids.map(() => [])
  const issues: ValidationIssue[] = []
  ids.forEach((id, i) => {
    const list = tasks[id]?.dependsOn
    if (!Array.isArray(list)) return
    const seen = new Set<string>()
    list.forEach((dep: unknown, position) => {
      if (typeof dep !== 'string') return
      const at = ['tasks', id, 'dependsOn', position]
      const target = indexOf.get(dep)
      if (dep === id) {
        issues.push(
          issueAt(
            at,
            'self_dependency',
            `Task "${id}" depends on itself; remove "${id}" from its dependsOn.`,
          ),
        )
      } else if (target === undefined) {
        issues.push(
          issueAt(
            at,
            'unknown_dependency',
            `${show(dep)} is not a task of this workflow; ${knownTasks(ids, dep)}.`,
          ),
        )
      } else if (seen.has(dep)) {
        issues.push(
          issueAt(at, 'duplicate_dependency', `"${dep}" is listed twice in dependsOn; remove the repeat.`),
        )
      } else {
        deps[i]!.push(target)
        children[target]!.push(i)
      }
      seen.add(dep)
    })
  })
  return { graph: { ids, indexOf, deps, children }, issues }
}

function knownTasks(ids: readonly string[], wanted: string): string {
  const lower = wanted.toLowerCase()
  const close =
    ids.length <= 5000 ? ids.filter((id) => id.toLowerCase() === lower || nearlyEqual(id, wanted)) : []
  if (close.length > 0) return `did you mean ${close.map((id) => `"${id}"`).join(' or ')}?`
  return `the tasks are: ${listNames(ids)}`
}

/** One edit (insert, delete, replace, swap of neighbours) apart. */
export function nearlyEqual(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  return (
    a.slice(i + 1) === b.slice(i + 1) ||
    a.slice(i) === b.slice(i + 1) ||
    a.slice(i + 1) === b.slice(i) ||
    (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2))
  )
}

/**
 * Task ids in a topological order (Kahn's algorithm, ties in definition order), or `undefined`
 * when the graph has a cycle. O(tasks + dependencies).
 */
export function topologicalOrder(graph: TaskGraph): number[] | undefined {
  const n = graph.ids.length
  const waiting = Int32Array.from(graph.deps, (d) => d.length)
  const order: number[] = []
  for (let i = 0; i < n; i++) if (waiting[i] === 0) order.push(i)
  for (let head = 0; head < order.length; head++) {
    for (const child of graph.children[order[head]!]!) {
      if (--waiting[child]! === 0) order.push(child)
    }
  }
  return order.length === n ? order : undefined
}

/**
 * Every dependency cycle, once each: one issue per strongly connected group of tasks
 * (Tarjan's algorithm, iterative so that long chains cannot overflow the call stack). The
 * message names a shortest cycle through the group's first task, in dependency order.
 */
export function findCycles(graph: TaskGraph): ValidationIssue[] {
  return stronglyConnected(graph).map((group) => {
    const cycle = shortestCycle(graph, group)
    const names = cycle.map((i) => graph.ids[i]!)
    const others = group.filter((i) => !cycle.includes(i)).map((i) => graph.ids[i]!)
    const rest = others.length > 0 ? ` Tasks ${listNames(others)} are caught in the same loop.` : ''
    return issueAt(
      ['tasks', names[0]!, 'dependsOn'],
      'cycle',
      `Dependency cycle: ${[...names, names[0]].join(' → ')} (→ reads "depends on"). Remove one of these dependencies.${rest}`,
    )
  })
}

function stronglyConnected(graph: TaskGraph): number[][] {
  const n = graph.ids.length
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack: number[] = []
  const groups: number[][] = []
  const frames: number[] = []
  const edges: number[] = []
  let counter = 0
  const enter = (v: number) => {
    index[v] = low[v] = counter++
    stack.push(v)
    onStack[v] = 1
    frames.push(v)
    edges.push(0)
  }
  for (let start = 0; start < n; start++) {
    if (index[start] !== -1) continue
    enter(start)
    while (frames.length > 0) {
      const v = frames.at(-1)!
      const next = edges.at(-1)!
      const deps = graph.deps[v]!
      if (next < deps.length) {
        edges[edges.length - 1] = next + 1
        const w = deps[next]!
        if (index[w] === -1) enter(w)
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!)
        continue
      }
      frames.pop()
      edges.pop()
      if (frames.length > 0) {
        const parent = frames.at(-1)!
        low[parent] = Math.min(low[parent]!, low[v]!)
      }
      if (low[v] === index[v]) {
        const group: number[] = []
        let w: number
        do {
          w = stack.pop()!
          onStack[w] = 0
          group.push(w)
        } while (w !== v)
        if (group.length > 1) groups.push(group.sort((a, b) => a - b))
      }
    }
  }
  return groups.sort((a, b) => a[0]! - b[0]!)
}

/** A shortest cycle through the group's first task, following dependencies (breadth-first). */
function shortestCycle(graph: TaskGraph, group: number[]): number[] {
  const members = new Set(group)
  const start = group[0]!
  const parent = new Map<number, number>([[start, -1]])
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    for (const w of graph.deps[v]!) {
      if (w === start) {
        const path: number[] = []
        for (let at = v; at !== -1; at = parent.get(at)!) path.push(at)
        return path.reverse()
      }
      if (members.has(w) && !parent.has(w)) {
        parent.set(w, v)
        queue.push(w)
      }
    }
  }
  return group
}

/**
 * Answers "does `task` (transitively) depend on `ancestor`?" many times over one graph. With a
 * topological order, the search skips tasks that come before `ancestor`, which cannot lie on a
 * path from it.
 */
export class UpstreamIndex {
  readonly #graph: TaskGraph
  readonly #position: Int32Array | undefined
  readonly #visited: Int32Array
  #stamp = 0

  constructor(graph: TaskGraph, order: readonly number[] | undefined) {
    this.#graph = graph
    this.#visited = new Int32Array(graph.ids.length)
    if (order) {
      this.#position = new Int32Array(graph.ids.length)
      order.forEach((task, position) => {
        this.#position![task] = position
      })
    }
  }

  isUpstream(ancestor: number, task: number): boolean {
    const deps = this.#graph.deps
    if (deps[task]!.includes(ancestor)) return true
    const floor = this.#position?.[ancestor] ?? -1
    const stamp = ++this.#stamp
    const queue = [task]
    this.#visited[task] = stamp
    for (let head = 0; head < queue.length; head++) {
      for (const dep of deps[queue[head]!]!) {
        if (dep === ancestor) return true
        if (this.#visited[dep] === stamp || (this.#position?.[dep] ?? 0) < floor) continue
        this.#visited[dep] = stamp
        queue.push(dep)
      }
    }
    return false
  }
}
