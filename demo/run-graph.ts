import type { Progress, RunView, TaskStatus, WorkflowDefinition, WorkflowEvent } from 'spindle'
import { el } from './element'
import { layoutGraph } from './graph-layout'

const SVG = 'http://www.w3.org/2000/svg'

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  return element
}

interface Node {
  group: SVGGElement
  detail: SVGTextElement
  forEach: boolean
  done: Set<number>
  /** The number of items, once an item completed, the items waited or the task completed. */
  total?: number
}

/**
 * The run's task graph in SVG, laid out from its definition: each task a box coloured by its
 * status (a task that has not run yet is dashed), `forEach` tasks with their items done, kept
 * live from progress and events.
 */
export class RunGraph {
  readonly element: HTMLElement
  readonly #nodes = new Map<string, Node>()

  constructor(view: RunView, definition: WorkflowDefinition | undefined, choose: (taskId: string) => void) {
    this.element = document.createElement('figure')
    this.element.className = 'run-graph'
    this.element.dataset.testid = 'run-graph'
    if (!definition) return
    const { nodes, edges, width, height, how } = layoutGraph(definition)
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img' })
    root.setAttribute(
      'aria-label',
      `Task graph of ${definition.name ?? definition.id}: ${nodes.length} tasks`,
    )
    for (const edge of edges) {
      root.append(
        svg('polyline', { class: 'edge', points: edge.points.map((p) => `${p.x},${p.y}`).join(' ') }),
      )
    }
    for (const box of nodes) {
      const task = definition.tasks[box.id]!
      const group = svg('g', {
        class: 'node',
        'data-testid': 'graph-node',
        'data-task-id': box.id,
        tabindex: 0,
        role: 'button',
        'aria-label': `Task ${task.name ?? box.id}: inspect`,
      })
      group.addEventListener('click', () => choose(box.id))
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          choose(box.id)
        }
      })
      const left = box.x - box.width / 2
      const top = box.y - box.height / 2
      // A forEach task is a stack: one box per item behind the task's own.
      if (task.forEach !== undefined)
        group.append(
          svg('rect', {
            x: left + 6,
            y: top - 5,
            width: box.width,
            height: box.height,
            rx: 8,
            class: 'stack',
          }),
          svg('rect', {
            x: left + 3,
            y: top - 2.5,
            width: box.width,
            height: box.height,
            rx: 8,
            class: 'stack',
          }),
        )
      group.append(svg('rect', { x: left, y: top, width: box.width, height: box.height, rx: 8 }))
      const title = svg('text', { x: left + 10, y: top + 18, class: 'node-title' })
      title.textContent = (task.name ?? box.id).slice(0, 22)
      const detail = svg('text', { x: left + 10, y: top + 34, class: 'node-detail' })
      const label = svg('title', {})
      label.textContent = `${box.id} (${task.action})`
      group.append(label, title, detail)
      root.append(group)
      this.#nodes.set(box.id, { group, detail, forEach: task.forEach !== undefined, done: new Set() })
    }
    this.element.append(root)
    if (how === 'depth')
      this.element.append(
        el(
          'figcaption',
          { class: 'muted' },
          'A large graph: tasks in columns by their depth of dependencies.',
        ),
      )
    for (const [id, task] of Object.entries(view.tasks)) this.#set(id, task.status)
  }

  /** Statuses from the run's progress. */
  update(progress: Progress): void {
    for (const task of progress.tasks) this.#set(task.id, task.status)
  }

  /**
   * Counts a `forEach` task's items as they complete; their number comes from each item's record
   * (`count`), a `task.waiting` of waiting items, or the completed task's output (a list).
   */
  observe(event: WorkflowEvent): void {
    if (
      event.type !== 'task.item-completed' &&
      event.type !== 'task.completed' &&
      event.type !== 'task.waiting'
    )
      return
    const node = this.#nodes.get(event.taskId)
    if (!node?.forEach) return
    if (event.type === 'task.item-completed') {
      node.done.add(event.index)
      node.total = event.count ?? node.total
    }
    // Items that wait say how many there are; a completed forEach's output is one entry per item.
    else if (event.type === 'task.waiting') node.total = event.count ?? node.total
    else if (Array.isArray(event.output)) node.total = event.output.length
    this.#set(event.taskId, (node.group.dataset.status ?? 'running') as TaskStatus)
  }

  #set(id: string, status: TaskStatus): void {
    const node = this.#nodes.get(id)
    if (!node) return
    node.group.dataset.status = status
    node.group.setAttribute('class', `node status-${status}`)
    if (!node.forEach || (node.done.size === 0 && node.total === undefined)) node.detail.textContent = status
    else {
      const total = node.total === undefined ? '' : `/${node.total}`
      node.detail.textContent = `${status} · ${node.done.size}${total} items done`
    }
    node.group.dataset.items = String(node.done.size)
  }
}
