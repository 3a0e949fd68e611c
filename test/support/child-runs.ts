/** A child that waits for the signal `go` and outputs its payload. */
export const waitingChild = {
  schemaVersion: '2.0',
  id: 'child',
  version: '1.0.0',
  tasks: { w: { action: 'wait-for-event', params: { event: 'go' } } },
  output: 'tasks.w.output',
}

/** `parent`, whose one task `sub` runs `child` as a child run (with `params` added), and outputs its output. */
export function subworkflowParent(params: Record<string, unknown> = {}) {
  return {
    schemaVersion: '2.0',
    id: 'parent',
    version: '1.0.0',
    tasks: { sub: { action: 'subworkflow', params: { workflow: 'child', ...params } } },
    output: 'tasks.sub.output',
  }
}
