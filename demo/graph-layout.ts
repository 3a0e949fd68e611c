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
}

const NODE = { width: 150, height: 44 }
const GAP = { rank: 56, node: 18 }
/** Above this many tasks the layout is by depth: dagre's crossing reduction would stall the page. */
export const DAGRE_LIMIT = 300

/**
 * Lays out a definition's task graph from left to right: with dagre up to {@link DAGRE_LIMIT}
 * tasks, above it in columns by depth (the longest chain of dependencies before a task), which
 * is linear in the tasks and dependencies.
 */
export function layoutGraph(definition: WorkflowDefinition): GraphLayout {
  const ids = Object.keys(definition.tasks)
  return ids.length > DAGRE_LIMIT ? byDepth(definition, ids) : withDagre(definition, ids)
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
  }
}

function byDepth(definition: WorkflowDefinition, ids: string[]): GraphLayout {
  const depth = new Map<string, number>()
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id)
    if (known !== undefined) return known
    seen.add(id)
    const deps = (definition.tasks[id]?.dependsOn ?? []).filter((dep) => !seen.has(dep))
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => depthOf(dep, seen)))
    depth.set(id, value)
    return value
  }
  const columns = new Map<number, string[]>()
  for (const id of ids) {
    const d = depthOf(id, new Set())
    columns.set(d, [...(columns.get(d) ?? []), id])
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
  const width = Math.max(...nodes.map((n) => n.x + n.width / 2)) + 8
  const height = Math.max(...nodes.map((n) => n.y + n.height / 2)) + 8
  return { nodes, edges, width, height }
}
