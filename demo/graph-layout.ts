import { Graph, layout } from '@dagrejs/dagre'
import type { WorkflowDefinition } from 'spindle'

/** A node's box: its centre, width and height. */
export interface NodeBox {
  id: string
  x: number
  y: number
  width: number
  height: number
}

export interface GraphLayout {
  nodes: NodeBox[]
  /** Each edge as a polyline from the dependency to the task. */
  edges: { from: string; to: string; points: { x: number; y: number }[] }[]
  width: number
  height: number
  /** dagre's layout, or columns by depth (a heavy graph). */
  how: 'dagre' | 'depth'
}

const NODE = { width: 150, height: 44 }
const GAP = { rank: 56, node: 18 }
/**
 * dagre lays a graph out while its weight, tasks plus four for each dependency beyond one per
 * task, is at most this; a heavier one is laid out by depth. dagre's crossing reduction grows
 * with the dependencies that cross: `npm run bench -- --page studio` (bench/RESULTS.md) measured a
 * chain or a fan-out of 300 tasks at 40–70 ms, a random graph of 100 tasks (1.5 dependencies
 * each, weight ≈ 300) at 70 ms, of 150 at 130 ms and of 300 at 520 ms; by depth, 2 ms at 1,000.
 */
export const DAGRE_LIMIT = 300

/** The graph's weight for the choice of its layout (see {@link DAGRE_LIMIT}). */
export function layoutWeight(definition: WorkflowDefinition): number {
  const ids = Object.keys(definition.tasks)
  let edges = 0
  for (const id of ids) edges += definition.tasks[id]!.dependsOn?.length ?? 0
  return ids.length + 4 * Math.max(0, edges - ids.length)
}

/**
 * Lays out a definition's task graph from left to right: with dagre while its weight is at most
 * {@link DAGRE_LIMIT}, else in columns by depth (the longest chain of dependencies before a
 * task), which is linear in the tasks and dependencies.
 */
export function layoutGraph(definition: WorkflowDefinition): GraphLayout {
  return layoutWith(definition, layoutWeight(definition) > DAGRE_LIMIT ? 'depth' : 'dagre')
}

/** One layout whatever the size (`bench/studio.bench.ts` measures each against the other). */
export function layoutWith(definition: WorkflowDefinition, how: 'dagre' | 'depth'): GraphLayout {
  const ids = Object.keys(definition.tasks)
  return how === 'depth' ? byDepth(definition, ids) : withDagre(definition, ids)
}

function withDagre(definition: WorkflowDefinition, ids: string[]): GraphLayout {
  const graph = new Graph()
  graph.setGraph({ rankdir: 'LR', ranksep: GAP.rank, nodesep: GAP.node, marginx: 8, marginy: 8 })
  graph.setDefaultEdgeLabel(() => ({}))
  for (const id of ids) graph.setNode(id, { ...NODE })
  for (const id of ids) for (const dep of definition.tasks[id]!.dependsOn ?? []) graph.setEdge(dep, id)
  layout(graph)
  const label = graph.graph()
  return {
    nodes: ids.map((id) => {
      const node = graph.node(id)
      return { id, x: node.x, y: node.y, width: NODE.width, height: NODE.height }
    }),
    edges: graph.edges().map((edge) => ({ from: edge.v, to: edge.w, points: graph.edge(edge).points ?? [] })),
    width: label.width ?? 0,
    height: label.height ?? 0,
    how: 'dagre',
  }
}

/**
 * Columns by depth, the longest chain of dependencies before a task, found in one pass in
 * dependency order (Kahn's): linear in tasks and dependencies, with no recursion, so a chain of
 * 10,000 tasks does not overflow the stack. A task on a cycle (a definition `register` would
 * refuse) stays in the first column.
 */
function byDepth(definition: WorkflowDefinition, ids: string[]): GraphLayout {
  const depth = new Map<string, number>()
  const left = new Map<string, number>()
  const dependents = new Map<string, string[]>()
  const order: string[] = []
  for (const id of ids) {
    const deps = (definition.tasks[id]!.dependsOn ?? []).filter((dep) => Object.hasOwn(definition.tasks, dep))
    left.set(id, deps.length)
    depth.set(id, 0)
    for (const dep of deps) {
      const list = dependents.get(dep)
      if (list) list.push(id)
      else dependents.set(dep, [id])
    }
    if (deps.length === 0) order.push(id)
  }
  for (let head = 0; head < order.length; head++) {
    const id = order[head]!
    const next = depth.get(id)! + 1
    for (const dependent of dependents.get(id) ?? []) {
      if (next > depth.get(dependent)!) depth.set(dependent, next)
      const remaining = left.get(dependent)! - 1
      left.set(dependent, remaining)
      if (remaining === 0) order.push(dependent)
    }
  }
  const columns = new Map<number, string[]>()
  for (const id of ids) {
    const d = depth.get(id)!
    const column = columns.get(d)
    if (column) column.push(id)
    else columns.set(d, [id])
  }
  const at = new Map<string, NodeBox>()
  for (const [d, column] of columns) {
    column.forEach((id, row) => {
      at.set(id, {
        id,
        x: 8 + NODE.width / 2 + d * (NODE.width + GAP.rank),
        y: 8 + NODE.height / 2 + row * (NODE.height + GAP.node),
        ...NODE,
      })
    })
  }
  const nodes = ids.map((id) => at.get(id)!)
  const edges = ids.flatMap((id) =>
    (definition.tasks[id]!.dependsOn ?? []).map((dep) => {
      const a = at.get(dep)!
      const b = at.get(id)!
      return {
        from: dep,
        to: id,
        points: [
          { x: a.x + a.width / 2, y: a.y },
          { x: b.x - b.width / 2, y: b.y },
        ],
      }
    }),
  )
  let width = 0
  let height = 0
  for (const n of nodes) {
    width = Math.max(width, n.x + n.width / 2 + 8)
    height = Math.max(height, n.y + n.height / 2 + 8)
  }
  return { nodes, edges, width, height, how: 'depth' }
}
