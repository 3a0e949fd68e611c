import type { RunView, WorkflowDefinition } from 'spindle'
import { afterEach, describe, expect, it } from 'vitest'
import { RunGraph } from '../../demo/run-graph'

const definition: WorkflowDefinition = {
  schemaVersion: '2.0',
  id: 'g',
  version: '1.0.0',
  name: 'Fish & <chips>',
  tasks: {
    fetch: { action: 'noop', name: `"Quoted" <b>bold</b> & 'more'` },
    each: { action: 'noop', forEach: 'input.xs', dependsOn: ['fetch'] },
  },
}

function view(): RunView {
  return {
    tasks: { fetch: { status: 'completed', attempts: 1 }, each: { status: 'pending', attempts: 0 } },
  } as unknown as RunView
}

describe('the studio run graph', () => {
  afterEach(() => document.body.replaceChildren())

  it('shows names as text, whatever they hold, and a node per task with its status', () => {
    const graph = new RunGraph(view(), definition, () => undefined)
    document.body.append(graph.element)
    const svg = graph.element.querySelector('svg')!
    expect(svg.getAttribute('aria-label')).toBe('Task graph of Fish & <chips>: 2 tasks')
    expect(svg.querySelector('b')).toBeNull()
    const fetch = svg.querySelector<SVGGElement>('[data-task-id="fetch"]')!
    expect(fetch.querySelector('.node-title')!.textContent).toBe('"Quoted" <b>bold</b> &')
    expect(fetch.getAttribute('aria-label')).toBe(`Task "Quoted" <b>bold</b> & 'more': inspect`)
    expect(fetch.dataset.status).toBe('completed')
    expect(fetch.querySelector('.node-detail')!.textContent).toBe('completed')
    // The forEach task is a stack, and counts its items with their total.
    const each = svg.querySelector<SVGGElement>('[data-task-id="each"]')!
    expect(each.querySelectorAll('rect.stack')).toHaveLength(2)
    graph.update({ tasks: [{ id: 'each', status: 'running' }] } as never)
    graph.observe({ type: 'task.item-completed', taskId: 'each', index: 0, count: 3 } as never)
    expect(each.querySelector('.node-detail')!.textContent).toBe('running · 1/3 items done')
    expect(svg.querySelectorAll('polyline.edge')).toHaveLength(1)
  })

  it('chooses a task on a click or on Enter and Space of a focused node', () => {
    const chosen: string[] = []
    const graph = new RunGraph(view(), definition, (taskId) => chosen.push(taskId))
    document.body.append(graph.element)
    const node = (id: string) => graph.element.querySelector<SVGGElement>(`[data-task-id="${id}"]`)!
    node('fetch')
      .querySelector('rect')!
      .dispatchEvent(new MouseEvent('click', { bubbles: true }))
    node('each').focus()
    expect(document.activeElement).toBe(node('each'))
    for (const key of ['Enter', ' ', 'a'])
      node('each').dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
    expect(chosen).toEqual(['fetch', 'each', 'each'])
  })
})
