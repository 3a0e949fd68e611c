import type { WorkflowDefinition } from 'spindle'
import { describe, expect, it } from 'vitest'
import { DAGRE_LIMIT, layoutGraph, layoutWeight, layoutWith } from '../../demo/graph-layout'

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

  it('lays out a graph whose dependencies cross much by depth, though it has fewer tasks', () => {
    const tree = chainOf(300)
    expect(layoutWeight(tree)).toBe(300)
    expect(layoutGraph(tree).how).toBe('dagre')
    // 150 tasks, each after the two before it: 296 dependencies.
    const tasks: WorkflowDefinition['tasks'] = {}
    for (let i = 0; i < 150; i++)
      tasks[`t${i}`] = { action: 'noop', ...(i < 2 ? {} : { dependsOn: [`t${i - 1}`, `t${i - 2}`] }) }
    const dense: WorkflowDefinition = { schemaVersion: '2.0', id: 'dense', version: '1.0.0', tasks }
    expect(layoutWeight(dense)).toBe(150 + 4 * (296 - 150))
    expect(layoutGraph(dense).how).toBe('depth')
  })

  it('puts each task in the column of its longest chain of dependencies, also for a chain of 10,000', () => {
    const definition: WorkflowDefinition = {
      schemaVersion: '2.0',
      id: 'depths',
      version: '1.0.0',
      tasks: {
        a: { action: 'noop' },
        b: { action: 'noop', dependsOn: ['a'] },
        c: { action: 'noop', dependsOn: ['b'] },
        // Declared before what it waits for, and reached by a short and a long chain.
        d: { action: 'noop', dependsOn: ['a', 'e'] },
        e: { action: 'noop', dependsOn: ['c'] },
      },
    }
    const column = (layout: ReturnType<typeof layoutWith>) => {
      const xs = [...new Set(layout.nodes.map((n) => n.x))].sort((p, q) => p - q)
      return Object.fromEntries(layout.nodes.map((n) => [n.id, xs.indexOf(n.x)]))
    }
    expect(column(layoutWith(definition, 'depth'))).toEqual({ a: 0, b: 1, c: 2, e: 3, d: 4 })
    // The chain's last task is in the last of 10,000 columns: no recursion to overflow.
    const long = layoutWith(chainOf(10_000), 'depth')
    expect(long.nodes.at(-1)!.x).toBe(Math.max(...long.nodes.map((n) => n.x)))
    expect(new Set(long.nodes.map((n) => n.x)).size).toBe(10_000)
  })
})
