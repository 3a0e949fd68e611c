import type { WorkflowDefinition, WorkflowEvent } from 'spindle'
import { el } from './element'
import { duration } from './format'
import { checkpointsFrom, type Segment, segmentsFrom } from './timeline-segments'

const SVG = 'http://www.w3.org/2000/svg'
const ROW = 22
const LABEL = 110
const WIDTH = 560

/**
 * A Gantt of the run: a row per task, its queued, running, waiting and back-off segments per
 * attempt on one time axis, redrawn (at most every half second) as events arrive.
 */
export class RunTimeline {
  readonly element: HTMLElement
  readonly #definition: WorkflowDefinition | undefined
  readonly #events: WorkflowEvent[] = []
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(definition: WorkflowDefinition | undefined) {
    this.#definition = definition
    this.element = el(
      'details',
      { class: 'run-timeline', 'data-testid': 'run-timeline' },
      el('summary', {}, 'Timeline'),
    )
  }

  /** Takes one more event of the run (in journal order). */
  add(event: WorkflowEvent): void {
    this.#events.push(event)
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      this.#draw()
    }, 500)
  }

  #draw(): void {
    const segments = segmentsFrom(this.#events, this.#definition)
    const tasks = [...new Set(segments.map((s) => s.taskId))]
    const start = Math.min(...segments.map((s) => s.from))
    const end = Math.max(...segments.map((s) => s.to ?? Date.now()), start + 1)
    const x = (time: number) => LABEL + ((time - start) / (end - start)) * (WIDTH - LABEL - 4)
    const height = tasks.length * ROW + 20
    const svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`)
    svg.setAttribute('width', String(WIDTH))
    svg.setAttribute('height', String(height))
    svg.setAttribute('role', 'img')
    svg.setAttribute('aria-label', `Timeline of ${tasks.length} tasks over ${duration(end - start)}`)
    tasks.forEach((taskId, row) => {
      const label = document.createElementNS(SVG, 'text')
      label.setAttribute('x', '0')
      label.setAttribute('y', String(row * ROW + 15))
      label.setAttribute('class', 'timeline-label')
      label.textContent = taskId.slice(0, 16)
      svg.append(label)
      for (const segment of segments.filter((s) => s.taskId === taskId))
        svg.append(this.#bar(segment, row, x))
    })
    for (const mark of checkpointsFrom(this.#events)) {
      const line = document.createElementNS(SVG, 'line')
      const at = String(x(mark.at))
      line.setAttribute('x1', at)
      line.setAttribute('x2', at)
      line.setAttribute('y1', '0')
      line.setAttribute('y2', String(height - 16))
      line.setAttribute('class', 'timeline-checkpoint')
      line.dataset.testid = 'timeline-checkpoint'
      const title = document.createElementNS(SVG, 'title')
      title.textContent = `checkpoint #${mark.seq}: ${mark.label}`
      line.append(title)
      svg.append(line)
    }
    const axis = document.createElementNS(SVG, 'text')
    axis.setAttribute('x', String(WIDTH - 4))
    axis.setAttribute('y', String(height - 4))
    axis.setAttribute('text-anchor', 'end')
    axis.setAttribute('class', 'timeline-label')
    axis.textContent = duration(end - start)
    svg.append(axis)
    const legend = el(
      'p',
      { class: 'timeline-legend' },
      ...['queued', 'running', 'waiting', 'backoff', 'checkpoint'].map((kind) =>
        el('span', { class: `legend legend-${kind}` }, kind),
      ),
    )
    this.element.replaceChildren(
      this.element.firstElementChild!,
      el('div', { class: 'scroll-x' }, svg),
      legend,
    )
  }

  #bar(segment: Segment, row: number, x: (time: number) => number): SVGRectElement {
    const rect = document.createElementNS(SVG, 'rect')
    const from = x(segment.from)
    const to = x(segment.to ?? Date.now())
    rect.setAttribute('x', String(from))
    rect.setAttribute('y', String(row * ROW + 4))
    rect.setAttribute('width', String(Math.max(2, to - from)))
    rect.setAttribute('height', String(ROW - 8))
    rect.setAttribute('class', `segment segment-${segment.kind}`)
    rect.dataset.testid = 'segment'
    rect.dataset.kind = segment.kind
    rect.dataset.taskId = segment.taskId
    const title = document.createElementNS(SVG, 'title')
    title.textContent = `${segment.taskId} attempt ${segment.attempt}: ${segment.kind}${segment.to === undefined ? ' (now)' : `, ${duration(segment.to - segment.from)}`}`
    rect.append(title)
    return rect
  }
}
