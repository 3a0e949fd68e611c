import type { WorkflowDefinition } from 'spindle'
import { describe, expect, it } from 'vitest'
import { DAGRE_LIMIT, layoutGraph } from '../../demo/graph-layout'

function chainOf(n: number, fanOut = 1): WorkflowDefinition {
  const tasks: WorkflowDefinition['tasks'] = {}
  for (let i = 0; i < n; i++) {
    const dep = i < fanOut ? undefined : `t${Math.floor((i - fanOut) / fanOut) * fanOut}`
    tasks[`t${i}`] = { action: 'noop', ...(dep === undefined ? {} : { dependsOn: [dep] }) }
  }
  return { schemaVersion: '2.0', id: 'g', version: '1.0.0', tasks }
}

describe('the studio graph layout', () => {
  it('places every task right of the tasks it depends on, with an edge between', () => {
    const definition: WorkflowDefinition = {
      schemaVersion: '2.0',
      id: 'fan',
      version: '1.0.0',
      tasks: {
        fetch: { action: 'noop' },
        a: { action: 'noop', dependsOn: ['fetch'] },
        b: { action: 'noop', dependsOn: ['fetch'] },
        join: { action: 'noop', dependsOn: ['a', 'b'] },
      },
    }
    const { nodes, edges, width, height } = layoutGraph(definition)
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]))
    expect(x.a).toBeGreaterThan(x.fetch!)
    expect(x.join).toBeGreaterThan(Math.max(x.a!, x.b!))
    expect(edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['a>join', 'b>join', 'fetch>a', 'fetch>b'])
    for (const edge of edges) expect(edge.points.length).toBeGreaterThanOrEqual(2)
    expect(width).toBeGreaterThan(0)
    expect(height).toBeGreaterThan(0)
  })

  it(`lays out more than ${DAGRE_LIMIT} tasks in columns by depth`, () => {
    const { nodes, edges } = layoutGraph(chainOf(1000, 10))
    expect(nodes).toHaveLength(1000)
    expect(edges).toHaveLength(990)
    const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]))
    for (const edge of edges) expect(x[edge.to]).toBeGreaterThan(x[edge.from]!)
  })
})
